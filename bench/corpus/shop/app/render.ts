/**
 * Server-side HTML of a product page, for the SEO prerender sidecar.
 *
 * @module
 */

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Render a product page (about 40 kB: markup, structured data and the inlined critical CSS). */
export function renderProductPage(page: { id: number; name: string; description: string; priceCents: number; latestReviews: { body: string }[] }): string {
  const css = Array.from({ length: 300 }, (_, i) => `.c${i}{margin:${i % 16}px;padding:${i % 8}px;color:#${(i * 2654435761 % 0xffffff).toString(16).padStart(6, '0')}}`);
  const parts = [
    '<!doctype html><html><head><style>', ...css, '</style>',
    `<script type="application/ld+json">${JSON.stringify({ '@type': 'Product', name: page.name, sku: page.id, offers: { price: page.priceCents / 100 } })}</script>`,
    `</head><body><h1>${escape(page.name)}</h1><p>${escape(page.description)}</p>`,
    ...page.latestReviews.map((r) => `<blockquote>${escape(r.body)}</blockquote>`),
    `<footer>${'<a href="/c">Category</a>'.repeat(200)}</footer></body></html>`,
  ];
  // join() yields one flat string, which is what the prerender queue holds.
  return parts.join('\n');
}
