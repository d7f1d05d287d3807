import { SignOutIcon, UserIcon } from '../components/icons';
import { Popover, PopoverSectionLabel, popoverItemClasses } from '../components/popover';
import { cx } from '../lib/class-names';
import { initials } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useSignOut } from '../lib/session-actions';
import { THEME_OPTIONS, useTheme } from '../lib/theme';

/** "Account menu": profile link, theme choice and sign out. */
export function AccountMenu() {
  const { me } = useSession();
  const { preference, setPreference } = useTheme();
  const signOut = useSignOut();

  return (
    <Popover
      align="end"
      triggerClassName="inline-flex size-10 items-center justify-center rounded-full hover:bg-surface-hover"
      trigger={
        <>
          <span
            aria-hidden="true"
            className="inline-flex size-8 items-center justify-center rounded-full bg-brand text-xs font-semibold text-on-brand"
          >
            {initials(me.user.name, me.user.email)}
          </span>
          <span className="sr-only">Account menu</span>
        </>
      }
    >
      {(close) => (
        <div className="flex flex-col gap-1">
          <div className="border-b border-border px-2 pt-1 pb-3">
            <p className="truncate text-sm font-semibold text-text">{me.user.name || me.user.email}</p>
            <p className="truncate text-xs text-text-muted">{me.user.email}</p>
          </div>
          <Link to="/profile" onClick={close} className={popoverItemClasses}>
            <UserIcon className="size-4" />
            Profile
          </Link>
          <PopoverSectionLabel>Theme</PopoverSectionLabel>
          <div className="grid grid-cols-3 gap-1 px-1 pb-2">
            {THEME_OPTIONS.map((option) => (
              <button
                key={option.value}
                type="button"
                aria-pressed={preference === option.value}
                onClick={() => setPreference(option.value)}
                className={cx(
                  'rounded-md border px-2 py-1.5 text-xs font-medium',
                  preference === option.value
                    ? 'border-brand-text bg-brand-subtle text-brand-text'
                    : 'border-border text-text hover:bg-surface-hover',
                )}
              >
                {option.label}
              </button>
            ))}
          </div>
          <div className="border-t border-border pt-1">
            <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending} className={popoverItemClasses}>
              <SignOutIcon className="size-4" />
              Sign out
            </button>
          </div>
        </div>
      )}
    </Popover>
  );
}
