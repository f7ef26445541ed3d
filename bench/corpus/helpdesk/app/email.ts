/**
 * Rendering of the notification emails: a branded HTML layout (inline CSS,
 * as mail clients need) with the latest messages of the thread quoted below
 * the new one, plus a plain-text part.
 *
 * @module
 */
import type { OutgoingEmail } from './mailer.js';

/** A message of a thread, as quoted in an email. */
export interface QuotedMessage {
  author: string;
  body: string;
  createdAt: Date;
}

const CELL = 'style="padding:12px 24px;font-family:Helvetica,Arial,sans-serif;font-size:14px;line-height:20px;color:#2f3941"';
const FOOTER_LINKS = ['Help center', 'Community', 'Status page', 'Privacy policy', 'Terms of service', 'Unsubscribe from ticket notifications']
  .map((label) => `<a href="https://support.example.net/${encodeURIComponent(label)}" style="color:#1f73b7;text-decoration:underline;font-family:Helvetica,Arial,sans-serif;font-size:12px">${label}</a>`)
  .join(' &middot; ');
const STYLE = `<style type="text/css">
body{margin:0;padding:0;-webkit-text-size-adjust:100%;-ms-text-size-adjust:100%}table,td{border-collapse:collapse;mso-table-lspace:0pt;mso-table-rspace:0pt}
img{border:0;height:auto;line-height:100%;outline:none;text-decoration:none;-ms-interpolation-mode:bicubic}p{display:block;margin:13px 0}
@media only screen and (max-width:480px){.container{width:100%!important}.col{display:block!important;width:100%!important}.hide-mobile{display:none!important}}
${Array.from({ length: 40 }, (_, i) => `.hd-q${i}{border-left:3px solid #d8dcde;padding-left:${8 + (i % 4)}px;color:#68737d;margin:${i % 3}px 0}`).join('\n')}
</style>`;

/** The org logo, inlined as a data URI (mail clients block remote images by default). */
const LOGO = (() => {
  const bytes = Buffer.alloc(18_432);
  let x = 0x9e3779b9;
  for (let i = 0; i < bytes.length; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    bytes[i] = x & 0xff;
  }
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return `data:image/png;base64,${bytes.toString('base64')}`;
})();

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Render a ticket notification: `latest` on top, then the quoted thread (newest first). */
export function renderTicketEmail(opts: {
  reference: string;
  to: string;
  orgName: string;
  ticketNumber: number;
  subject: string;
  latest: QuotedMessage;
  thread: QuotedMessage[];
}): OutgoingEmail {
  const quoted = opts.thread
    .map((m, i) => `<tr><td ${CELL}><div class="hd-q${i % 40}"><p><strong>${escapeHtml(m.author)}</strong> &mdash; ${m.createdAt.toUTCString()}</p><p>${escapeHtml(m.body).replace(/\n/g, '<br>')}</p></div></td></tr>`)
    .join('\n');
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${STYLE}</head>
<body style="background:#f3f4f5"><table class="container" width="600" align="center" style="background:#ffffff;margin:24px auto">
<tr><td ${CELL}><img src="${LOGO}" width="120" height="40" alt="" style="display:block"><span style="font-size:18px;font-weight:bold">${escapeHtml(opts.orgName)} Support</span></td></tr>
<tr><td ${CELL}><p style="color:#68737d">##- Please type your reply above this line -##</p><p>Ticket #${opts.ticketNumber}: ${escapeHtml(opts.subject)}</p></td></tr>
<tr><td ${CELL}><p><strong>${escapeHtml(opts.latest.author)}</strong></p><p>${escapeHtml(opts.latest.body).replace(/\n/g, '<br>')}</p></td></tr>
${quoted}
<tr><td ${CELL}><p style="font-size:12px;color:#87929d">You are receiving this because you are a requester of ticket #${opts.ticketNumber}.</p><p>${FOOTER_LINKS}</p></td></tr>
</table></body></html>`;
  const text = [opts.latest.body, '', ...opts.thread.map((m) => `> ${m.author} wrote:\n> ${m.body.replace(/\n/g, '\n> ')}`)].join('\n');
  return {
    reference: opts.reference,
    to: opts.to,
    subject: `[${opts.orgName}] Re: ${opts.subject}`,
    html,
    text,
    headers: { 'X-Helpdesk-Ticket': String(opts.ticketNumber), 'Reply-To': `support+${opts.ticketNumber}@helpdesk.test`, 'Message-ID': `<${opts.reference}@helpdesk.test>` },
  };
}
