import { Icon, type IconProps } from '../../components/icons';

/** Decorative line icons for the plugin pages, drawn in the frame of components/icons (aria-hidden; pair with text). */

/** A plug: installed extensions. */
export const PluginIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M9 2.5V7M15 2.5V7M6 7h12v3.5a6 6 0 0 1-12 0zM12 16.5v5" />
  </Icon>
);

/** A bolt: something that can be called. */
export const CapabilityIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M13 2.5 4.5 13.5H12l-1 8 8.5-11H12z" />
  </Icon>
);

/** Two stacked servers: an MCP server. */
export const ServerIcon = (props: IconProps) => (
  <Icon {...props}>
    <rect x="3" y="4" width="18" height="7" rx="1.5" />
    <rect x="3" y="13" width="18" height="7" rx="1.5" />
    <path d="M7 7.5h.01M7 16.5h.01M11 7.5h6M11 16.5h6" />
  </Icon>
);

/** A file with an arrow up: upload a bundle. */
export const UploadIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M12 15V4M7.5 8.5 12 4l4.5 4.5M4 15v3.5A1.5 1.5 0 0 0 5.5 20h13a1.5 1.5 0 0 0 1.5-1.5V15" />
  </Icon>
);
