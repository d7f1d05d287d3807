import { type ChangeEvent, forwardRef, useState } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { controlClasses, Field } from '../../components/field';
import { cx } from '../../lib/class-names';

/** The server refuses bodies above 6 MiB; a bundle's code may be up to 5 MiB. */
const MAX_FILE_BYTES = 6 * 1024 * 1024;

/** What the chosen file says about itself, before the server verifies it. */
export interface BundleSummary {
  name: string;
  version: string;
  signedBy: string | null;
}

export interface BundleFile {
  bundle: unknown;
  summary: BundleSummary | null;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

function summarize(bundle: unknown): BundleSummary | null {
  if (typeof bundle !== 'object' || bundle === null) return null;
  const { manifest, signature } = bundle as { manifest?: Record<string, unknown>; signature?: Record<string, unknown> };
  if (!manifest) return null;
  return { name: text(manifest.name) || text(manifest.id), version: text(manifest.version), signedBy: text(signature?.key_id) || null };
}

/** Reads a `*.atrium-plugin.json` file as JSON; the server checks the rest and names the field it refuses. */
export async function readBundleFile(file: File): Promise<BundleFile> {
  if (file.size > MAX_FILE_BYTES) throw new Error('This file is larger than 6 MB, more than a plugin bundle can be.');
  let bundle: unknown;
  try {
    bundle = JSON.parse(await file.text());
  } catch {
    throw new Error('This file is not JSON. Choose the .atrium-plugin.json file that `atrium plugin pack` wrote.');
  }
  return { bundle, summary: summarize(bundle) };
}

/** A refusal with the bundle field it names, e.g. "… (field bundle.signature)". */
export function bundleErrorText(error: unknown): string {
  const message = errorMessage(error);
  if (error instanceof ApiError && error.param && !message.includes(error.param)) return `${message} (field ${error.param})`;
  return message;
}

/** Holds the chosen bundle and its reading error, for the bundle upload dialog. */
export function useBundleFile() {
  const [file, setFile] = useState<BundleFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reading, setReading] = useState(false);

  async function handleChange(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.target.files?.[0];
    setFile(null);
    setError(null);
    if (!chosen) return;
    setReading(true);
    try {
      setFile(await readBundleFile(chosen));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setReading(false);
    }
  }

  return { file, error, setError, reading, handleChange };
}

interface BundleFileFieldProps {
  error: string | null;
  summary: BundleSummary | null;
  onChange: (event: ChangeEvent<HTMLInputElement>) => void;
}

/** The labelled file input, with what the chosen bundle says it is. */
export const BundleFileField = forwardRef<HTMLInputElement, BundleFileFieldProps>(function BundleFileField(
  { error, summary, onChange },
  ref,
) {
  const hint = summary ? (
    <>
      {summary.name} {summary.version}, {summary.signedBy ? `signed by ${summary.signedBy}` : 'unsigned'}.
    </>
  ) : (
    <>
      A <code>.atrium-plugin.json</code> file, as <code>atrium plugin pack</code> writes it.
    </>
  );
  return (
    <Field label="Plugin bundle" hint={hint} error={error}>
      {(control) => (
        <input
          ref={ref}
          type="file"
          accept=".json,application/json"
          onChange={onChange}
          className={cx(
            controlClasses,
            'h-auto py-2 file:mr-3 file:rounded file:border-0 file:bg-surface-sunken file:px-3 file:py-1 file:text-sm file:font-medium file:text-text',
          )}
          {...control}
        />
      )}
    </Field>
  );
});
