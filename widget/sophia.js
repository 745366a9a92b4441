/*!
 * Sophia chat widget. One plain JavaScript file: no framework, no build step, no dependencies.
 *
 * Embed with one self-hosted script tag (see widget/README.md):
 *   <script src="/sophia/widget/sophia.js" data-tenant="muenchen" data-endpoint="/sophia" defer></script>
 *
 * Portal rules that shape this file (shared/CONTEXT.md):
 * - no third-party request, no fonts, no CDN;
 * - nothing stored and nothing sent before the citizen opens the chat; afterwards
 *   sessionStorage only (no cookies, no localStorage);
 * - a custom element with Shadow DOM and constructable stylesheets, so a strict host CSP
 *   (no 'unsafe-inline', no 'unsafe-eval') needs no exception; no innerHTML anywhere;
 * - BITV 2.0 / WCAG 2.1 AA: real buttons with names, a role="log" live region, focus
 *   handling, Esc, contrast >= 4.5:1, reduced motion, reflow at 320 px and 200 % zoom.
 */
(function () {
  'use strict';

  const VERSION = '0.2.0';
  const TAG = 'sophia-chat';
  const MAX_CHARS = 2000; // the server's limit for one message
  const TIMEOUT_MS = 15000; // the server itself gives up after 10 s
  const MAX_STORED = 60; // transcript entries kept in sessionStorage
  const KINDS = ['service', 'aspect', 'clarify', 'smalltalk', 'custom', 'office', 'fallback'];

  // Without custom elements, Shadow DOM or constructable stylesheets the page simply
  // keeps working without a chat. A second copy of the script does nothing.
  if (!window.customElements || !window.ShadowRoot || !('adoptedStyleSheets' in ShadowRoot.prototype) ||
      customElements.get(TAG)) {
    return;
  }

  const DEFAULTS = {
    tenant: '',
    title: 'Bürgerservice',
    endpoint: '',
    privacyUrl: '',
    accessibilityUrl: '',
    greeting: 'Hallo, ich bin Sophia, ein Chatbot. Ich beantworte Fragen zu Leistungen der ' +
      'Verwaltung, zum Beispiel: „Was kostet ein Reisepass?“ oder „Personalausweis verloren“.',
    location: '',
    launcherLabel: 'Fragen Sie Sophia',
    position: 'right',
    linkTarget: '_blank',
    colorPrimary: '', // data-color-primary: launcher, header, send button, own messages
    colorOnPrimary: '', // data-color-on-primary: text on the primary colour
    colorAccent: '', // data-color-accent: links and quick-reply buttons
    suggestions: []
  };

  /* ---------------------------------------------------------------- */
  /* Settings                                                          */
  /* ---------------------------------------------------------------- */

  /** data-* attributes of the script tag, overridden by window.SophiaSettings (set before loading). */
  function readSettings(script) {
    const tag = (script && script.dataset) || {};
    const win = (typeof window.SophiaSettings === 'object' && window.SophiaSettings) || {};
    const s = {};
    Object.keys(DEFAULTS).forEach((key) => {
      let value = win[key] != null ? win[key] : tag[key];
      if (key !== 'suggestions') value = value == null ? '' : String(value).trim();
      s[key] = value || DEFAULTS[key];
    });
    s.position = s.position === 'left' ? 'left' : 'right';
    s.linkTarget = s.linkTarget === '_self' ? '_self' : '_blank';
    s.suggestions = suggestionsOf(s.suggestions);
    s.endpoint = endpointOf(s.endpoint, script);
    s.privacyUrl = pageUrl(s.privacyUrl);
    s.accessibilityUrl = pageUrl(s.accessibilityUrl);
    return s;
  }

  /**
   * The API base URL without trailing slash ("/sophia" works for a path behind the portal's
   * reverse proxy). Default: the origin the script came from, and nobody else.
   */
  function endpointOf(configured, script) {
    try {
      const url = new URL(configured || '/', configured ? document.baseURI : (script && script.src) || location.href);
      if (!/^https?:$/.test(url.protocol)) throw new Error('scheme');
      return (url.origin + url.pathname).replace(/\/+$/, '');
    } catch (e) {
      warn('data-endpoint is not a usable http(s) URL; using this page\'s origin.');
      return location.origin;
    }
  }

  /** A portal page URL (privacy, accessibility): relative or absolute http(s), else ''. */
  function pageUrl(value) {
    try {
      const url = new URL(value, document.baseURI);
      return value && /^https?:$/.test(url.protocol) ? url.href : '';
    } catch (e) {
      return '';
    }
  }

  function warn(message) {
    console.warn('[Sophia] ' + message);
  }

  /* ---------------------------------------------------------------- */
  /* Replies: everything from the server or from storage is checked   */
  /* for type and size before it is rendered.                          */
  /* ---------------------------------------------------------------- */

  function str(value, max) {
    return typeof value === 'string' ? value.slice(0, max) : '';
  }

  /** An array of objects (anything else becomes {}), at most `max` long. */
  function objects(value, max) {
    return (Array.isArray(value) ? value : []).slice(0, max).map((x) => (x && typeof x === 'object' ? x : {}));
  }

  /** Quick replies: strings or {label, message}. */
  function suggestionsOf(list) {
    return (Array.isArray(list) ? list : []).slice(0, 8).map((item) => {
      if (typeof item === 'string') item = { label: item };
      const label = str(item && item.label, 200);
      const message = str(item && item.message, MAX_CHARS) || label;
      return { label: label || message, message: message };
    }).filter((s) => s.message.trim());
  }

  function normalizeReply(raw) {
    if (!raw || typeof raw !== 'object') return null;
    const text = str(raw.text, 50000);
    const html = str(raw.html, 100000);
    if (!text.trim() && !html.trim()) return null;
    const intent = raw.intent || {};
    return {
      kind: KINDS.indexOf(raw.kind) >= 0 ? raw.kind : 'fallback',
      text: text,
      html: html,
      intent: { name: str(intent.name, 100), confidence: Number(intent.confidence) || 0 },
      aspect: str(raw.aspect, 50) || null,
      sources: objects(raw.sources, 10).map((s) => ({
        type: str(s.type, 50), id: str(s.id, 200), title: str(s.title, 500), url: str(s.url, 2000),
        updated: str(s.updated, 50), attribution: str(s.attribution, 500)
      })).filter((s) => s.title),
      offices: objects(raw.offices, 20).map((o) => ({
        id: str(o.id, 200), name: str(o.name, 500), address: str(o.address, 500),
        phone: str(o.phone, 100), url: str(o.url, 2000)
      })).filter((o) => o.name),
      suggestions: suggestionsOf(raw.suggestions),
      context: str(raw.context, 8000)
    };
  }

  /* ---------------------------------------------------------------- */
  /* DOM helpers                                                       */
  /* ---------------------------------------------------------------- */

  /** h('p', {class: 'x', text: 'set as textContent'}, child, 'text', [children]...) */
  function h(tag, attrs) {
    const el = document.createElement(tag);
    Object.keys(attrs || {}).forEach((name) => {
      const value = attrs[name];
      if (value == null || value === false) return;
      if (name === 'text') el.textContent = value;
      else el.setAttribute(name, value === true ? '' : value);
    });
    for (let i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(parent, child) {
    if (Array.isArray(child)) child.forEach((c) => append(parent, c));
    else if (child != null && child !== false) parent.append(child);
  }

  const ICONS = {
    chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z',
    close: 'M6 6l12 12M18 6L6 18',
    external: 'M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5',
    thumb: 'M3 11h4v10H3zM7 11l4-8c1.5 0 2.5 1 2.5 2.5V9H19a2 2 0 0 1 2 2.3l-1.2 7.5a2 2 0 0 1-2 1.7H7'
  };

  /** A decorative inline SVG icon (aria-hidden: the control has a text name). */
  function icon(name, className) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    const path = document.createElementNS(ns, 'path');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('class', 'icon ' + (className || ''));
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  function srOnly(text) {
    return h('span', { class: 'sr-only', text: text });
  }

  /* ---------------------------------------------------------------- */
  /* Links and sanitising                                              */
  /* ---------------------------------------------------------------- */

  /** An absolute http(s) URL (or mailto/tel when allowed), else '': relative URLs are refused. */
  function safeHref(value, mailTel) {
    try {
      const url = new URL(str(value, 4000).replace(/[\u0000-\u0020\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/g, ''));
      if (/^https?:$/.test(url.protocol) || (mailTel && /^(mailto|tel):$/.test(url.protocol))) return url.href;
    } catch (e) { /* not an absolute URL */ }
    return '';
  }

  /**
   * A link. Web links open in a new tab by default so that the citizen keeps page and chat;
   * the new tab is announced (WCAG technique G201). Links within this page open in place.
   */
  function makeLink(href, label, target) {
    const a = h('a', { href: href }, label);
    const here = location.href.split('#')[0];
    if (/^https?:/.test(href) && target === '_blank' && href.split('#')[0] !== here) {
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.append(icon('external', 'ext'), srOnly(' (öffnet in neuem Tab)'));
    }
    return a;
  }

  const ALLOWED = /^(P|BR|UL|OL|LI|STRONG|EM|B|I|H3|H4|H5|A)$/;
  /** Dropped with their content; every other element not allowed is replaced by its text. */
  const DROPPED = /^(SCRIPT|STYLE|TEMPLATE|NOSCRIPT|IFRAME|OBJECT|EMBED|SVG|MATH|TEXTAREA|SELECT|BUTTON|FORM|HEAD|TITLE|IMG|VIDEO|AUDIO|CANVAS|DIALOG)$/;

  let trustedPolicy = null;

  /**
   * Parses the server's html into an inert document (never inserted). Under a Trusted Types
   * CSP DOMParser needs a policy; the output is rebuilt node by node by sanitizeInto anyway.
   */
  function parseHtml(html) {
    if (window.trustedTypes) {
      try {
        trustedPolicy = trustedPolicy || trustedTypes.createPolicy('sophia', { createHTML: (x) => x });
        html = trustedPolicy.createHTML(html);
      } catch (e) { /* policy not allowed: DOMParser throws below and the text is shown */ }
    }
    return new DOMParser().parseFromString(html, 'text/html');
  }

  /**
   * Defence in depth (the server sanitises too): rebuilds only allowed elements, with fresh
   * nodes of this document, copying no attribute except a checked href.
   */
  function sanitizeInto(target, source, linkTarget, depth) {
    source.childNodes.forEach((node) => {
      if (node.nodeType === 3) {
        // Whitespace between list items would show as gaps under white-space: pre-line.
        if (!/^(UL|OL)$/.test(target.nodeName) || node.data.trim()) target.append(node.data);
        return;
      }
      const tag = node.nodeType === 1 ? node.nodeName.toUpperCase() : '';
      if (!tag || DROPPED.test(tag)) return; // comments, scripts and the like
      if (depth > 16) {
        target.append(node.textContent);
      } else if (!ALLOWED.test(tag)) {
        sanitizeInto(target, node, linkTarget, depth + 1); // unwrap, keep the text
      } else if (tag === 'A') {
        const href = safeHref(node.getAttribute('href'), true);
        const label = href ? document.createDocumentFragment() : target;
        sanitizeInto(label, node, linkTarget, depth + 1);
        if (href) target.append(makeLink(href, label, linkTarget));
      } else {
        const el = document.createElement(tag);
        sanitizeInto(el, node, linkTarget, depth + 1);
        target.append(el);
      }
    });
  }

  /** Plain text as paragraphs (a blank line starts a new one; line breaks kept by CSS). */
  function renderText(target, text) {
    text.split(/\n\s*\n/).forEach((para) => {
      if (para.trim()) target.append(h('p', { text: para.trim() }));
    });
  }

  /** The answer body: the sanitised html, or the text when there is no usable html. */
  function renderBody(reply, linkTarget) {
    const body = h('div', { class: 'content' });
    try {
      if (reply.html) sanitizeInto(body, parseHtml(reply.html).body, linkTarget, 0);
    } catch (e) { /* shown as text below */ }
    if (!body.textContent.trim()) {
      body.textContent = '';
      renderText(body, reply.text);
    }
    return body;
  }

  /* ---------------------------------------------------------------- */
  /* Formatting                                                        */
  /* ---------------------------------------------------------------- */

  /** "2026-06-08" -> "08.06.2026"; anything else is shown as given. */
  function formatDate(value) {
    const m = /^(\d{4})-(\d\d)-(\d\d)/.exec(value);
    return m ? m[3] + '.' + m[2] + '.' + m[1] : value;
  }

  /** Text compared case- and whitespace-insensitively (to avoid repeating what the body shows). */
  function squash(text) {
    return String(text || '').replace(/\s+/g, ' ').trim().toLowerCase();
  }

  /** Relative luminance of a computed "rgb(r, g, b)" colour, as WCAG 2.1 defines it. */
  function luminance(rgb) {
    const c = (rgb.match(/[\d.]+/g) || []).slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  /* ---------------------------------------------------------------- */
  /* Network                                                           */
  /* ---------------------------------------------------------------- */

  /**
   * POSTs JSON without cookies and without referrer (data minimisation). Resolves to
   * {status, data}; rejects only on network failure or timeout.
   */
  function postJson(url, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      cache: 'no-store',
      signal: controller.signal
    }).then((response) => response.text().then((raw) => {
      let data = null;
      try { data = JSON.parse(raw); } catch (e) { /* empty (204) or not JSON */ }
      return { status: response.status, data: data };
    })).finally(() => clearTimeout(timer));
  }

  /** The German message for a failed request (the server's own message goes to the console). */
  function errorMessage(status, code) {
    const again = ' Bitte versuchen Sie es ';
    if (!status) return { text: 'Die Verbindung zum Chat ist gerade gestört.' + again + 'gleich noch einmal.', retry: true };
    if (status === 413 || code === 'message_too_long') {
      return { text: 'Ihre Nachricht ist zu lang. Bitte fassen Sie Ihre Frage kürzer (höchstens ' + MAX_CHARS + ' Zeichen).' };
    }
    if (status === 408) return { text: 'Die Antwort hat zu lange gedauert.' + again + 'noch einmal.', retry: true };
    if (status === 429) return { text: 'Gerade kommen sehr viele Anfragen an.' + again + 'in einer Minute noch einmal.', retry: true };
    if (status === 404 || status === 403) {
      return { text: 'Der Chat ist auf dieser Seite gerade nicht verfügbar. Bitte nutzen Sie die Kontaktmöglichkeiten des Portals.' };
    }
    if (status < 500) return { text: 'Das hat leider nicht geklappt. Bitte formulieren Sie Ihre Frage anders.' };
    return { text: 'Der Chat ist gerade nicht erreichbar.' + again + 'später noch einmal.', retry: true };
  }

  /* ---------------------------------------------------------------- */
  /* Storage: sessionStorage only, written only after the chat opened */
  /* ---------------------------------------------------------------- */

  function storageKey(settings) {
    return 'sophia:v1:' + (settings.tenant || 'default');
  }

  /** sessionStorage, or null where it is blocked (sandboxed frames, privacy settings). */
  function store() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null;
    }
  }

  /** The conversation of this tab, checked like a server reply; null if there is none. */
  function loadConversation(settings) {
    try {
      const data = JSON.parse(store().getItem(storageKey(settings)));
      return {
        entries: objects(data.entries, MAX_STORED).map((e) => {
          if (e.who === 'user') return str(e.text, MAX_CHARS) && { who: 'user', text: str(e.text, MAX_CHARS) };
          const reply = e.who === 'bot' && normalizeReply(e.reply);
          return reply && { who: 'bot', reply: reply, feedback: e.feedback === 'yes' || e.feedback === 'no' ? e.feedback : null };
        }).filter(Boolean),
        context: str(data.context, 8000),
        location: str(data.location, 200)
      };
    } catch (e) {
      return null; // nothing stored, storage blocked or not our format
    }
  }

  function saveConversation(settings, state) {
    const data = {
      context: state.context,
      location: state.location,
      entries: state.entries.filter((e) => e.who !== 'greeting').slice(-MAX_STORED)
        .map((e) => (e.who === 'bot' ? { who: 'bot', reply: e.reply, feedback: e.feedback } : e))
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        store().setItem(storageKey(settings), JSON.stringify(data));
        return;
      } catch (e) {
        data.entries = data.entries.slice(data.entries.length >> 1); // quota: keep the newer half
      }
    }
  }

  function clearConversation(settings) {
    try { store().removeItem(storageKey(settings)); } catch (e) { /* blocked: nothing stored */ }
  }

  /* ---------------------------------------------------------------- */
  /* Styles (one constructed stylesheet, shared by all instances)     */
  /* ---------------------------------------------------------------- */

  // Default colours and their contrast (WCAG 2.1 AA: text 4.5:1, UI components 3:1):
  //   #fff on primary #005a9c 7.1   #1b1b1b on #fff 17.2      #1b1b1b on #eef1f4 15.2
  //   #005a9c on #eef1f4 6.3        #4a5057 on #eef1f4 7.2    #1b1b1b on #fff4ce 15.7
  //   #005a9c on #fff 7.1           #4a5057 on #fff 8.2       borders #6b7078 on #fff 5.0
  const STYLES = `
:host {
  all: initial; display: block;
  --_p: var(--sophia-primary, #005a9c);
  --_on-p: var(--sophia-on-primary, #fff);
  --_accent: var(--sophia-accent, var(--_p));
  --_bg: var(--sophia-background, #fff);
  --_text: var(--sophia-text, #1b1b1b);
  --_muted: var(--sophia-muted-text, #4a5057);
  --_bot-bg: var(--sophia-bot-background, #eef1f4);
  --_link: var(--sophia-link, var(--_accent));
  --_border: var(--sophia-border, #6b7078);
  --_focus: var(--sophia-focus, #1b1b1b);
  --_radius: var(--sophia-radius, 0.5rem);
  --_offset: var(--sophia-offset, 1rem);
  font: var(--sophia-font-size, max(1rem, 16px)) / 1.5 var(--sophia-font, system-ui, "Segoe UI", Roboto, Arial, sans-serif);
  color: var(--_text);
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.icon { width: 1.25em; height: 1.25em; flex: none; fill: none; stroke: currentColor; stroke-width: 2;
  stroke-linecap: round; stroke-linejoin: round; }
.ext { width: 0.85em; height: 0.85em; margin-left: 0.2em; }
button { font: inherit; line-height: 1.25; cursor: pointer; border-radius: 0.375em; }
a { color: var(--_link); text-underline-offset: 0.15em; }
:focus-visible, .input:focus { outline: 3px solid var(--_focus); outline-offset: 2px; }
.header :focus-visible { outline-color: var(--_on-p); }

/* Launcher and panel (a non-modal dialog above the launcher) */
.launcher, .panel { position: fixed; z-index: var(--sophia-z-index, 9000); right: var(--_offset); }
.left .launcher, .left .panel { right: auto; left: var(--_offset); }
.launcher { bottom: var(--_offset); display: flex; align-items: center; gap: 0.5em; min-height: 3em;
  max-width: calc(100vw - 2 * var(--_offset)); padding: 0.625em 1.125em; border: 2px solid var(--_p);
  border-radius: 1.5em; background: var(--_p); color: var(--_on-p); font-weight: 600;
  box-shadow: 0 2px 8px #0005; }
.launcher:focus-visible { box-shadow: 0 0 0 2px #fff; }
.panel { bottom: calc(var(--_offset) + 3.75em); width: min(26em, calc(100vw - 2 * var(--_offset)));
  height: min(42em, calc(100dvh - 2 * var(--_offset) - 4.5em)); display: flex; flex-direction: column;
  overflow: hidden; background: var(--_bg); border: 1px solid var(--_border); border-radius: var(--_radius);
  box-shadow: 0 8px 28px #0005; animation: sophia-in 0.16s ease-out; }
@keyframes sophia-in { from { opacity: 0; transform: translateY(0.5em); } }
.header { display: flex; align-items: flex-start; gap: 0.5em; padding: 0.625em 0.625em 0.625em 1em;
  background: var(--_p); color: var(--_on-p); }
.heading { flex: auto; min-width: 0; padding-top: 0.25em; }
.title { margin: 0; font-size: 1.125em; line-height: 1.3; overflow-wrap: anywhere; }
.subtitle, .notice p { margin: 0; }
.close { display: flex; padding: 0.75em; border: 0; background: none; color: inherit; }
.close:hover { background: #fff3; }
.notice { display: flex; flex-wrap: wrap; gap: 0 1em; padding: 0.5em 1em; background: var(--sophia-notice-background, #fff4ce);
  font-size: 0.875em; border-bottom: 1px solid var(--_border); }
.hint { font-weight: 600; }
.notice a { color: inherit; margin-right: 1em; }

/* Transcript */
.log { flex: auto; min-height: 6em; overflow-y: auto; overscroll-behavior: contain; display: flex;
  flex-direction: column; gap: 0.75em; padding: 1em; }
.msg { max-width: 92%; align-self: flex-start; }
.bubble { padding: 0.625em 0.875em; border-radius: var(--_radius); border: 1px solid transparent; overflow-wrap: anywhere; }
.user { align-self: flex-end; }
.user .bubble { background: var(--sophia-user-background, var(--_p)); color: var(--sophia-user-text, var(--_on-p)); white-space: pre-line; }
.bot .bubble { background: var(--_bot-bg); color: var(--sophia-bot-text, var(--_text)); }
.error .bubble { background: #fdecea; border-left: 4px solid #b3261e; }
.bubble p { margin: 0 0 0.5em; white-space: pre-line; }
.bubble ul, .bubble ol { margin: 0 0 0.5em; padding-left: 1.25em; }
.bubble h3, .bubble h4, .bubble h5 { margin: 0.75em 0 0.25em; font-size: 1em; }
.bubble :first-child { margin-top: 0; }
.bubble > :last-child, .content > :last-child, .block > :last-child { margin-bottom: 0; }
.block { margin-top: 0.75em; padding-top: 0.5em; border-top: 1px solid #0003; }
.label { margin: 0 0 0.25em; font-weight: 600; }
.block ul { list-style: none; padding: 0; }
.block li + li { margin-top: 0.5em; }
.meta { display: block; color: var(--_muted); font-size: 0.875em; }
.card { padding: 0.5em 0.75em; background: var(--_bg); border: 1px solid var(--_border); border-radius: var(--_radius); }
.card .meta { color: var(--_text); }

/* Quick replies and feedback */
.chips { display: flex; flex-wrap: wrap; gap: 0.5em; margin-top: 0.625em; }
.chip { min-height: 2.5em; padding: 0.375em 0.875em; text-align: left; color: var(--_accent);
  background: var(--_bg); border: 2px solid var(--_accent); border-radius: 1.25em; }
.chip:hover { background: var(--_accent); color: var(--_bg); }
.feedback { display: flex; flex-wrap: wrap; align-items: center; gap: 0.375em 0.5em; margin-top: 0.375em;
  font-size: 0.875em; color: var(--_muted); }
.fb { display: flex; align-items: center; gap: 0.375em; min-height: 2.25em; padding: 0.25em 0.75em; color: var(--_text);
  background: var(--_bg); border: 1px solid var(--_border); }
.fb .icon { width: 1em; height: 1em; }
.down { transform: rotate(180deg); }
.fb[aria-pressed="true"] { background: var(--_p); color: var(--_on-p); border-color: var(--_p); }
.fb[aria-disabled="true"] { cursor: default; }
.fb-status { flex-basis: 100%; }

/* Status line, input, footer */
.status { margin: 0; padding: 0 1em; min-height: 1.5em; font-size: 0.875em; color: var(--_muted); }
.dot { animation: sophia-blink 1.2s infinite both; }
.dot + .dot { animation-delay: 0.2s; } .dot + .dot + .dot { animation-delay: 0.4s; }
@keyframes sophia-blink { 50% { opacity: 0.2; } }
.composer { padding: 0.5em 1em 0.25em; border-top: 1px solid var(--_border); }
.composer label { display: block; margin-bottom: 0.25em; font-weight: 600; font-size: 0.875em; }
.row { display: flex; flex-wrap: wrap; gap: 0.5em; }
.input { flex: 1 1 10em; min-width: 0; min-height: 2.75em; padding: 0.5em 0.75em; font: inherit; color: var(--_text);
  background: var(--_bg); border: 2px solid var(--_border); border-radius: 0.375em; }
.send { min-height: 2.75em; padding: 0.5em 1em; font-weight: 600; color: var(--_on-p); background: var(--_p); border: 2px solid var(--_p); }
.footer { display: flex; justify-content: flex-end; padding: 0 1em 0.375em; }
.reset { padding: 0.25em; border: 0; background: none; color: var(--_link); font-size: 0.875em; text-decoration: underline; }

/* Phones (below 480 px at the default font size), narrow windows, 200 % zoom: full screen */
@media (max-width: 30em), (max-height: 34em) {
  .panel, .left .panel { inset: 0; width: auto; height: auto; border: 0; border-radius: 0; }
  .is-open .launcher { display: none; }
}
/* Very low viewports (landscape phone, 400 % zoom): one scroll area instead of a squeezed log */
@media (max-height: 24em) {
  .panel { overflow-y: auto; }
  .log { flex: none; overflow: visible; }
}
@media (prefers-reduced-motion: reduce) {
  .panel, .dot { animation: none; }
}
@media (forced-colors: active) {
  .launcher, .send, .chip, .fb, .panel, .bubble { border: 1px solid CanvasText; }
}
@media print { :host { display: none !important; } }
`;

  let sheet = null;

  /**
   * The stylesheets of one element: the shared base sheet and a small one with the
   * data-color-* theme colours as custom properties on :host. Constructed stylesheets are
   * allowed by style-src without 'unsafe-inline'; page CSS on sophia-chat still wins.
   */
  function styleSheets(s) {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
    }
    const theme = new CSSStyleSheet();
    theme.replaceSync(':host {}');
    const style = theme.cssRules[0].style;
    [['colorPrimary', 'primary'], ['colorOnPrimary', 'on-primary'], ['colorAccent', 'accent']].forEach((pair) => {
      const value = s[pair[0]];
      if (value && CSS.supports('color', value)) style.setProperty('--sophia-' + pair[1], value);
      else if (value) warn('data-color-' + pair[1] + ' is not a CSS colour: ' + value);
    });
    return [sheet, theme];
  }

  /* ---------------------------------------------------------------- */
  /* The custom element                                                */
  /* ---------------------------------------------------------------- */

  let settings = DEFAULTS;
  let ids = 0;

  class SophiaChat extends HTMLElement {
    connectedCallback() {
      if (this.state) return; // moved in the DOM: keep everything
      this.settings = settings;
      this.state = {
        open: false,
        busy: false,
        started: false, // the citizen opened the chat (or this tab has a stored conversation)
        context: '',
        location: settings.location,
        entries: [],
        generation: 0 // bumped by reset(): late replies to a forgotten conversation are dropped
      };
      this._build();
      this._restore();
    }

    _build() {
      const s = this.settings;
      const root = this.attachShadow({ mode: 'open' });
      root.adoptedStyleSheets = styleSheets(s);

      this.$launcher = h('button', { class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'panel' },
        icon('chat'), h('span', { text: s.launcherLabel }));
      this.$launcher.onclick = () => (this.state.open ? this.close() : this.open());

      const close = h('button', { class: 'close', type: 'button', 'aria-label': 'Chat schließen' }, icon('close'));
      close.onclick = () => this.close();

      const links = [];
      if (s.privacyUrl) links.push(makeLink(s.privacyUrl, 'Datenschutz', s.linkTarget));
      if (s.accessibilityUrl) links.push(makeLink(s.accessibilityUrl, 'Barrierefreiheit', s.linkTarget));

      // The transcript: a live region, focusable so that it can be scrolled by keyboard.
      this.$log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Gesprächsverlauf', tabindex: '0' });
      this.$status = h('p', { class: 'status', role: 'status' });
      this.$input = h('input', {
        id: 'input', class: 'input', type: 'text', autocomplete: 'off', maxlength: MAX_CHARS,
        enterkeyhint: 'send', 'aria-describedby': 'hint'
      });
      this.$send = h('button', { class: 'send', type: 'submit', text: 'Senden' });
      const form = h('form', { class: 'composer' },
        h('label', { for: 'input', text: 'Ihre Frage' }), h('div', { class: 'row' }, this.$input, this.$send));
      form.onsubmit = (event) => {
        event.preventDefault();
        this._submitFromInput();
      };
      const reset = h('button', { class: 'reset', type: 'button', text: 'Gespräch löschen' });
      reset.onclick = () => this.reset();

      this.$panel = h('section', { id: 'panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'title subtitle', hidden: true },
        h('div', { class: 'header' },
          h('div', { class: 'heading' },
            h('h2', { id: 'title', class: 'title', text: s.title }),
            // Says that a machine answers (AI Act transparency).
            h('p', { id: 'subtitle', class: 'subtitle', text: 'Chatbot Sophia' })),
          close),
        h('div', { class: 'notice' },
          h('p', { id: 'hint', class: 'hint', text: 'Bitte keine persönlichen Daten eingeben.' }),
          links.length ? h('p', null, links) : null),
        this.$log, this.$status, form, h('div', { class: 'footer' }, reset));

      // lang="de": the widget speaks German, also on a portal's English pages.
      this.$root = h('div', { class: s.position, lang: 'de' }, this.$panel, this.$launcher);
      root.append(this.$root);

      // Esc closes the panel from anywhere inside the widget.
      this.$root.onkeydown = (event) => {
        if (event.key === 'Escape' && this.state.open) {
          event.preventDefault();
          this.close();
        }
      };

      // Only a primary colour given: pick the text colour on it with the better contrast.
      if (s.colorPrimary && !s.colorOnPrimary && luminance(getComputedStyle(this.$launcher).backgroundColor) > 0.2) {
        root.adoptedStyleSheets[1].cssRules[0].style.setProperty('--sophia-on-primary', '#1b1b1b');
      }
    }

    /** Restores this tab's conversation (read only: nothing is written at load). */
    _restore() {
      const saved = loadConversation(this.settings);
      if (!saved || !saved.entries.length) return;
      Object.assign(this.state, { started: true, entries: saved.entries, context: saved.context });
      this.state.location = this.state.location || saved.location;
      saved.entries.forEach((entry, i) => this._render(entry, i === saved.entries.length - 1));
    }

    /* ---- public API (window.Sophia calls these) ---- */

    open() {
      const st = this.state;
      if (!st.open) {
        st.open = st.started = true;
        this.$panel.hidden = false;
        this.$root.classList.add('is-open');
        this.$launcher.setAttribute('aria-expanded', 'true');
        if (!st.entries.length) this._add({ who: 'greeting' });
        this._emit('sophia:open', {});
        this._scrollTo(null);
      }
      this.$input.focus();
    }

    close() {
      if (!this.state.open) return;
      // Focus goes back to the launcher only from inside the widget: a host page
      // calling close() keeps its own focus.
      const inside = this.shadowRoot.activeElement != null;
      this.state.open = false;
      this.$panel.hidden = true;
      this.$root.classList.remove('is-open');
      this.$launcher.setAttribute('aria-expanded', 'false');
      if (inside) this.$launcher.focus();
      this._emit('sophia:close', {});
    }

    /** Sends `text` as the citizen's message (opening the chat); resolves to the reply or null. */
    send(text) {
      this.open();
      return this._submit(text);
    }

    /** Sets the citizen's location (postcode, ARS or "lat,lon") for later messages; null clears it. */
    setContext(ctx) {
      if (ctx && 'location' in ctx) {
        this.state.location = ctx.location == null ? '' : str(String(ctx.location).trim(), 200);
        this._persist();
      }
    }

    /** Forgets the conversation: transcript, context and the sessionStorage entry. */
    reset() {
      const st = this.state;
      st.generation++;
      st.entries = [];
      st.context = '';
      this.$log.textContent = '';
      this._setBusy(false);
      clearConversation(this.settings);
      if (st.open) {
        this._add({ who: 'greeting' });
        this.$input.focus();
      }
    }

    /* ---- sending ---- */

    _submitFromInput() {
      const text = this.$input.value;
      if (text.trim() && !this.state.busy) {
        this.$input.value = '';
        this._submit(text);
      }
      this.$input.focus();
    }

    _submit(text) {
      text = typeof text === 'string' ? text.trim() : '';
      if (!text || this.state.busy) return Promise.resolve(null);
      if (text.length > MAX_CHARS) {
        this._showError(errorMessage(413), null);
        return Promise.resolve(null);
      }
      if (this._emit('sophia:message', { text: text }, true).defaultPrevented) return Promise.resolve(null);
      // Quick replies belong to the latest answer only; if one had focus, it moves to the input.
      const hadFocus = this.$log.contains(this.shadowRoot.activeElement);
      this.$log.querySelectorAll('.chips, .error').forEach((el) => el.remove());
      if (hadFocus) this.$input.focus();
      this._add({ who: 'user', text: text });
      return this._request(text);
    }

    /** One chat request; the context of the previous answer goes back to the server. */
    _request(text) {
      const st = this.state;
      const body = { message: text };
      if (this.settings.tenant) body.tenant = this.settings.tenant;
      if (st.context) body.context = st.context;
      if (st.location) body.location = st.location;
      const generation = st.generation;
      const stale = () => st.generation !== generation;
      this._setBusy(true);
      return postJson(this.settings.endpoint + '/api/v1/chat', body).then((result) => {
        const reply = result.status === 200 ? normalizeReply(result.data) : null;
        if (stale()) return null;
        if (!reply) {
          const err = (result.data && result.data.error) || {};
          warn('chat request failed: HTTP ' + result.status + ' ' + (err.code || '') + ' ' + (err.message || ''));
          this._showError(errorMessage(result.status === 200 ? 500 : result.status, err.code), text);
          return null;
        }
        st.context = reply.context || st.context;
        this._add({ who: 'bot', reply: reply, feedback: null });
        this._emit('sophia:reply', { reply: JSON.parse(JSON.stringify(reply)) });
        return reply;
      }, (error) => {
        if (stale()) return null;
        const timeout = error && error.name === 'AbortError';
        warn('chat request failed: ' + (timeout ? 'timeout' : error));
        this._showError(errorMessage(timeout ? 408 : 0), text);
        return null;
      }).then((reply) => {
        if (!stale()) this._setBusy(false);
        return reply;
      });
    }

    _setBusy(busy) {
      this.state.busy = busy;
      this.$send.setAttribute('aria-disabled', busy);
      this.$status.textContent = '';
      if (busy) {
        this.$status.append('Sophia schreibt ', h('span', { 'aria-hidden': 'true' },
          h('span', { class: 'dot', text: '.' }), h('span', { class: 'dot', text: '.' }), h('span', { class: 'dot', text: '.' })));
      }
    }

    /* ---- transcript ---- */

    _add(entry) {
      const entries = this.state.entries;
      entries.push(entry);
      if (entries.length > MAX_STORED * 2) entries.splice(0, entries.length - MAX_STORED * 2);
      const node = this._render(entry, true);
      this._scrollTo(entry.who === 'bot' ? node : null);
      this._persist();
    }

    /** Writes to sessionStorage, but only once the citizen opened the chat and said something. */
    _persist() {
      if (this.state.started && this.state.entries.some((e) => e.who !== 'greeting')) {
        saveConversation(this.settings, this.state);
      }
    }

    _render(entry, latest) {
      let bubble;
      let extra = [];
      if (entry.who === 'user') {
        bubble = h('div', { class: 'bubble', text: entry.text });
      } else if (entry.who === 'greeting') {
        bubble = h('div', { class: 'bubble' });
        renderText(bubble, this.settings.greeting);
        if (latest) extra = this._chips(this.settings.suggestions);
      } else {
        const reply = entry.reply;
        const content = renderBody(reply, this.settings.linkTarget);
        bubble = h('div', { class: 'bubble' }, content, this._offices(reply, content), this._sources(reply, content));
        if (latest) extra = this._chips(reply.suggestions);
        // Feedback on small talk ("Hallo") would be noise; every other answer gets it.
        if (reply.kind !== 'smalltalk' && reply.context) extra = [extra, this._feedback(entry)];
      }
      const user = entry.who === 'user';
      const node = h('div', { class: 'msg ' + (user ? 'user' : 'bot') }, srOnly(user ? 'Sie: ' : 'Sophia: '), bubble, extra);
      this.$log.append(node);
      return node;
    }

    /**
     * "Quelle": title and link, "Stand" date and attribution of each source. What the body
     * already shows (the server's html carries the link and the "Stand" line) is not repeated.
     */
    _sources(reply, content) {
      if (reply.kind === 'clarify') return null; // the sources are the choices, shown as buttons
      const shown = squash(content.textContent);
      const hrefs = Array.from(content.querySelectorAll('a'), (a) => a.href);
      const items = [];
      reply.sources.forEach((source) => {
        const href = safeHref(source.url);
        const link = href && hrefs.indexOf(href) < 0;
        const meta = [];
        const date = source.updated && 'Stand: ' + formatDate(source.updated);
        if (date && shown.indexOf(squash(date)) < 0) meta.push(date);
        if (source.attribution && shown.indexOf(squash(source.attribution)) < 0) meta.push(source.attribution);
        if (link || meta.length) {
          items.push(h('li', null, link ? makeLink(href, source.title, this.settings.linkTarget) : source.title,
            meta.length ? h('span', { class: 'meta', text: meta.join(' · ') }) : null));
        }
        hrefs.push(href);
      });
      return items.length ? h('div', { class: 'block' }, h('p', { class: 'label', text: 'Quelle:' }), h('ul', null, items)) : null;
    }

    /**
     * Offices as small cards: name (linked), address, phone (tel: link). List items of the body
     * that name the same office are removed, so each office is shown once, as a card.
     */
    _offices(reply, content) {
      if (!reply.offices.length) return null;
      const names = reply.offices.map((o) => squash(o.name));
      content.querySelectorAll('li').forEach((li) => {
        if (names.some((name) => squash(li.textContent).indexOf(name) === 0)) li.remove();
      });
      const cards = reply.offices.map((o) => {
        const href = safeHref(o.url);
        const tel = o.phone.replace(/[^\d+]/g, '');
        return h('li', { class: 'card' },
          h('strong', null, href ? makeLink(href, o.name, this.settings.linkTarget) : o.name),
          o.address ? h('span', { class: 'meta', text: o.address }) : null,
          o.phone ? h('span', { class: 'meta' }, 'Telefon: ', tel.length > 2 ? h('a', { href: 'tel:' + tel, text: o.phone }) : o.phone) : null);
      });
      // The cards take the place of the first list emptied above, or follow the body.
      const emptied = Array.from(content.querySelectorAll('ul, ol')).filter((list) => !list.children.length);
      const block = h('div', { class: 'block' }, emptied.length ? null
        : h('p', { class: 'label', text: cards.length > 1 ? 'Zuständige Stellen:' : 'Zuständige Stelle:' }), h('ul', null, cards));
      if (!emptied.length) return block;
      emptied.forEach((list, i) => (i ? list.remove() : list.replaceWith(block)));
      return null;
    }

    /** Quick replies (clarify choices, suggestions): real buttons that send their message. */
    _chips(suggestions) {
      if (!suggestions.length) return null;
      return h('div', { class: 'chips', role: 'group', 'aria-label': 'Antwortvorschläge' }, suggestions.map((s) => {
        const button = h('button', { class: 'chip', type: 'button', text: s.label });
        button.onclick = () => this._submit(s.message);
        return button;
      }));
    }

    /** "War das hilfreich?" thumbs up / down for one answer, posted with that answer's context. */
    _feedback(entry) {
      const id = 'fb' + ++ids;
      const button = (helpful) => {
        const b = h('button', { class: 'fb', type: 'button', 'aria-pressed': 'false' },
          icon('thumb', helpful ? '' : 'down'), helpful ? 'Ja' : 'Nein');
        b.onclick = () => give(helpful);
        return b;
      };
      const yes = button(true);
      const no = button(false);
      const status = h('span', { class: 'fb-status' });
      const mark = () => {
        yes.setAttribute('aria-pressed', entry.feedback === 'yes');
        no.setAttribute('aria-pressed', entry.feedback === 'no');
        yes.setAttribute('aria-disabled', 'true');
        no.setAttribute('aria-disabled', 'true');
      };
      const give = (helpful) => {
        if (entry.feedback || entry.sending) return;
        entry.sending = true;
        postJson(this.settings.endpoint + '/api/v1/feedback', { context: entry.reply.context, helpful: helpful }).then((result) => {
          if (result.status > 299) throw new Error('HTTP ' + result.status);
          entry.feedback = helpful ? 'yes' : 'no';
          mark();
          status.textContent = 'Danke für Ihre Rückmeldung.';
          this._persist();
          this._emit('sophia:feedback', { helpful: helpful });
        }).catch((error) => {
          warn('feedback failed: ' + error);
          status.textContent = 'Die Rückmeldung konnte nicht gesendet werden. Bitte versuchen Sie es später noch einmal.';
        }).then(() => {
          entry.sending = false;
        });
      };
      if (entry.feedback) mark();
      return h('div', { class: 'feedback', role: 'group', 'aria-labelledby': id },
        h('span', { id: id, text: 'War das hilfreich?' }), yes, no, status);
    }

    /** A polite error message in the log, with "Erneut senden" where retrying can help. */
    _showError(error, retryText) {
      const node = h('div', { class: 'msg error' },
        h('div', { class: 'bubble' }, srOnly('Hinweis: '), h('p', { text: error.text })));
      if (error.retry && retryText) {
        const retry = h('button', { class: 'chip', type: 'button', text: 'Erneut senden' });
        retry.onclick = () => {
          if (this.state.busy) return;
          node.remove();
          this.$input.focus();
          this._request(retryText);
        };
        node.append(retry);
      }
      this.$log.append(node);
      this._scrollTo(node);
      this._emit('sophia:error', { message: error.text });
    }

    /** Scrolls so that `node` (a new answer, read from its top) is at the top, or to the end. */
    _scrollTo(node) {
      if (!this.state.open) return;
      // Below 24em height the whole panel scrolls instead of the log.
      const box = getComputedStyle(this.$log).overflowY === 'auto' ? this.$log : this.$panel;
      const top = node ? node.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop - 8 : box.scrollHeight;
      const reduce = matchMedia('(prefers-reduced-motion: reduce)').matches;
      box.scrollTo({ top: Math.max(0, top), behavior: reduce ? 'auto' : 'smooth' });
    }

    _emit(name, detail, cancelable) {
      const event = new CustomEvent(name, { detail: detail, bubbles: true, composed: true, cancelable: !!cancelable });
      this.dispatchEvent(event);
      return event;
    }
  }

  /* ---------------------------------------------------------------- */
  /* Start-up: define the element, mount it, expose window.Sophia.     */
  /* Nothing is fetched and nothing is stored here.                    */
  /* ---------------------------------------------------------------- */

  settings = readSettings(document.currentScript || document.querySelector('script[src*="sophia.js"]'));
  customElements.define(TAG, SophiaChat);

  const element = () => document.querySelector(TAG);
  const mount = () => element() || document.body.append(document.createElement(TAG));
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  /** window.Sophia.x(...) calls x on the element (undefined before it is mounted). */
  const call = (method) => function () {
    const el = element();
    return el && el.state ? el[method].apply(el, arguments) : undefined;
  };

  window.Sophia = {
    version: VERSION,
    open: call('open'),
    close: call('close'),
    send: (text) => call('send')(text) || Promise.resolve(null),
    setContext: call('setContext'),
    reset: call('reset'),
    get element() { return element(); }
  };
})();
