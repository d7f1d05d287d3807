import nodemailer, { type Transporter } from 'nodemailer';
import type { Tx } from '../../kernel/db/database.ts';
import type { Kernel } from '../../kernel/kernel.ts';

export interface Email {
  to: string;
  subject: string;
  text: string;
}

export interface Notifications {
  /** Queues an email inside `tx` (sent only if it commits), retried on SMTP failures. */
  sendEmail(tx: Tx, email: Email): Promise<void>;
}

const QUEUE = 'email.send';

/**
 * Email through `SMTP_URL`; without it, each email is written to the log instead, so a laptop
 * install still shows password-reset and invitation links.
 */
export function createNotifications(kernel: Kernel): Notifications {
  const { config, log } = kernel;
  let transport: Transporter | undefined;

  kernel.jobs.define<Email>(QUEUE, {
    retryLimit: 8,
    retryDelaySeconds: 5,
    handler: async (email) => {
      if (!config.smtpUrl) {
        log.info(
          { email: { to: email.to, subject: email.subject, text: email.text } },
          'email (SMTP_URL not set, so logged instead of sent)',
        );
        return;
      }
      transport ??= nodemailer.createTransport(config.smtpUrl);
      await transport.sendMail({ from: config.smtpFrom, to: email.to, subject: email.subject, text: email.text });
    },
  });

  return {
    async sendEmail(tx, email) {
      await kernel.jobs.send(QUEUE, email, { tx });
    },
  };
}
