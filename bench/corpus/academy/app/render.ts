/**
 * Lesson bodies are Markdown; the lesson view answers them as HTML.
 *
 * - {@link renderMarkdown}: the line-based renderer (headings, lists, fenced code, bold,
 *   italics, links): a few regex passes over ~1-3 kB, no state.
 * - {@link TreeRenderer} (the `lesson-render-tree-lru` build): the "search as you read"
 *   work parses the transcripts of the lesson's whole course (~21 lessons, ~27 kB of
 *   Markdown) into a syntax tree with one span node per character (source offsets for
 *   highlights and click-to-seek) and memoises it per course in an LRU of 8 courses.
 *   The HTML is still the line renderer's. Lesson views spread over 6,000 courses, so
 *   the memo almost never hits: every view builds ~27,000 nodes (several MB) that live
 *   through ~8 further views, survive scavenges and die old.
 *
 * @module
 */

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function inline(s: string): string {
  return escapeHtml(s)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/_([^_]+)_/g, '<em>$1</em>')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '<a href="$2">$1</a>');
}

/** Render Markdown to HTML, line by line. */
export function renderMarkdown(markdown: string): string {
  const out: string[] = [];
  let inCode = false;
  let inList = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      out.push(inCode ? '</code></pre>' : `<pre><code class="language-${escapeHtml(line.slice(3) || 'text')}">`);
      inCode = !inCode;
      continue;
    }
    if (inCode) {
      out.push(escapeHtml(line));
      continue;
    }
    if (line.startsWith('- ')) {
      if (!inList) out.push('<ul>');
      inList = true;
      out.push(`<li>${inline(line.slice(2))}</li>`);
      continue;
    }
    if (inList) {
      out.push('</ul>');
      inList = false;
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) out.push(`<h${heading[1].length}>${inline(heading[2])}</h${heading[1].length}>`);
    else if (line.trim()) out.push(`<p>${inline(line)}</p>`);
  }
  if (inList) out.push('</ul>');
  return out.join('\n');
}

/** A node of the transcript syntax tree. */
interface Node {
  type: string;
  start: number;
  end: number;
  line: number;
  column: number;
  marks: string[];
  text?: string;
  children: Node[];
}

/** The course transcript index with its per-course memo (see the module comment). */
export class TreeRenderer {
  private readonly memo = new Map<number, Node>();
  constructor(private readonly capacity = 8) {}

  /** The transcript tree of course `courseId` (all its lessons' bodies), memoised. */
  index(courseId: number, bodies: readonly string[]): Node {
    const hit = this.memo.get(courseId);
    if (hit) {
      this.memo.delete(courseId);
      this.memo.set(courseId, hit);
      return hit;
    }
    const tree: Node = { type: 'course', start: 0, end: 0, line: 0, column: 0, marks: [], children: bodies.map((b) => this.parse(b)) };
    this.memo.set(courseId, tree);
    if (this.memo.size > this.capacity) this.memo.delete(this.memo.keys().next().value!);
    return tree;
  }

  private parse(markdown: string): Node {
    const root: Node = { type: 'lesson', start: 0, end: markdown.length, line: 0, column: 0, marks: [], children: [] };
    let offset = 0;
    let inCode = false;
    markdown.split('\n').forEach((text, line) => {
      const block: Node = { type: inCode ? 'code-line' : text.startsWith('- ') ? 'item' : text.startsWith('#') ? 'heading' : 'paragraph', start: offset, end: offset + text.length, line, column: 0, marks: [], children: [] };
      if (text.startsWith('```')) inCode = !inCode;
      const marks: string[] = [];
      for (let i = 0; i < text.length; i++) {
        if (text.startsWith('**', i)) {
          if (marks.at(-1) === 'strong') marks.pop();
          else marks.push('strong');
          i++;
          continue;
        }
        block.children.push({ type: 'char', start: offset + i, end: offset + i + 1, line, column: i, marks: [...marks], text: text[i], children: [] });
      }
      root.children.push(block);
      offset += text.length + 1;
    });
    return root;
  }
}
