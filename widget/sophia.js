/*!
 * Sophia chat widget. Plain JavaScript, no build step, no dependencies.
 *
 * Embed with one self-hosted script tag (see widget/README.md):
 *   <script src="/widget/sophia.js" data-tenant="muenchen"
 *           data-title="Landeshauptstadt München" defer></script>
 *
 * Portal rules that shape this file (shared/CONTEXT.md, "Portal conventions"):
 * - no third-party request, no fonts, no CDN: everything is in this file;
 * - nothing is stored and nothing is sent before the citizen opens the chat;
 *   afterwards sessionStorage only (no cookies, no localStorage);
 * - style isolation through a custom element with Shadow DOM, theming through
 *   CSS custom properties (--sophia-*);
 * - BITV 2.0 / WCAG 2.1 AA: real buttons with names, aria-expanded, a role="log"
 *   live region, focus handling, Esc, contrast >= 4.5:1, reduced motion, reflow
 *   at 320 px and 200 % zoom.
 */
(function () {
  'use strict';

  const VERSION = '0.1.0';
  const TAG = 'sophia-chat';
  /** The server accepts at most this many characters per message (MAX_MESSAGE_CHARS). */
  const MAX_MESSAGE_CHARS = 2000;
  /** Abort a request after this long; the server itself gives up after 10 s. */
  const REQUEST_TIMEOUT_MS = 15000;
  /** Transcript entries kept in sessionStorage (oldest are dropped first). */
  const MAX_STORED_ENTRIES = 60;
  const STORAGE_PREFIX = 'sophia:v1:';
  const REPLY_KINDS = ['service', 'aspect', 'clarify', 'smalltalk', 'custom', 'office', 'fallback'];

  if (typeof window === 'undefined' || !window.customElements || !window.HTMLElement ||
      !HTMLElement.prototype.attachShadow) {
    return; // Too old a browser: leave the page alone rather than break it.
  }
  if (window.customElements.get(TAG)) {
    return; // The script was included twice.
  }

  const DEFAULT_GREETING =
    'Hallo, ich bin Sophia, ein Chatbot. Ich beantworte Fragen zu Leistungen der Verwaltung, ' +
    'zum Beispiel: „Was kostet ein Reisepass?“ oder „Personalausweis verloren“.';

  const DEFAULTS = {
    tenant: '',
    title: 'Bürgerservice',
    endpoint: '',
    privacyUrl: '',
    accessibilityUrl: '',
    greeting: DEFAULT_GREETING,
    location: '',
    launcherLabel: 'Fragen Sie Sophia',
    position: 'right',
    linkTarget: '_blank',
    suggestions: []
  };

  /* ------------------------------------------------------------------ */
  /* Configuration                                                       */
  /* ------------------------------------------------------------------ */

  /** The <script> element that loaded this file (document.currentScript works for defer). */
  function findOwnScript() {
    if (document.currentScript) return document.currentScript;
    const scripts = document.querySelectorAll('script[src*="sophia.js"]');
    return scripts.length ? scripts[scripts.length - 1] : null;
  }

  /**
   * Settings from data-* attributes of the script tag, overridden by
   * window.SophiaSettings (an object set before the script loads).
   */
  function readSettings(script) {
    const fromTag = (script && script.dataset) || {};
    let fromWindow = window.SophiaSettings;
    if (!fromWindow || typeof fromWindow !== 'object') fromWindow = {};
    const settings = {};
    Object.keys(DEFAULTS).forEach((key) => {
      const value = fromWindow[key] != null ? fromWindow[key] : fromTag[key];
      settings[key] = value != null ? value : DEFAULTS[key];
    });
    ['tenant', 'title', 'endpoint', 'privacyUrl', 'accessibilityUrl', 'greeting', 'location',
      'launcherLabel'].forEach((key) => {
      settings[key] = String(settings[key]).trim();
    });
    if (!settings.title) settings.title = DEFAULTS.title;
    if (!settings.greeting) settings.greeting = DEFAULT_GREETING;
    if (!settings.launcherLabel) settings.launcherLabel = DEFAULTS.launcherLabel;
    settings.position = settings.position === 'left' ? 'left' : 'right';
    settings.linkTarget = settings.linkTarget === '_self' ? '_self' : '_blank';
    settings.suggestions = normalizeSuggestions(settings.suggestions);
    settings.endpoint = resolveEndpoint(settings.endpoint, script);
    settings.privacyUrl = safePageUrl(settings.privacyUrl);
    settings.accessibilityUrl = safePageUrl(settings.accessibilityUrl);
    return settings;
  }

  /**
   * The API base URL without trailing slash. Default: the origin the script was
   * loaded from, so a portal embedding the script from the Sophia server talks
   * to that server and to nobody else.
   */
  function resolveEndpoint(configured, script) {
    try {
      const url = configured
        ? new URL(configured, document.baseURI)
        : new URL('/', (script && script.src) || window.location.href);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
      return (url.origin + url.pathname).replace(/\/+$/, '');
    } catch (e) {
      warn('data-endpoint is not a usable http(s) URL; using this page\'s origin.');
      return window.location.origin;
    }
  }

  /** A portal page URL (privacy, accessibility): relative or absolute http(s), else ''. */
  function safePageUrl(value) {
    if (!value) return '';
    try {
      const url = new URL(value, document.baseURI);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : '';
    } catch (e) {
      return '';
    }
  }

  function warn(message) {
    if (window.console && console.warn) console.warn('[Sophia] ' + message);
  }

  /* ------------------------------------------------------------------ */
  /* Reply normalisation: everything from the server or from storage is  */
  /* checked for type and size before it is rendered.                    */
  /* ------------------------------------------------------------------ */

  function str(value, max) {
    if (typeof value !== 'string') return '';
    return max && value.length > max ? value.slice(0, max) : value;
  }

  function normalizeSuggestions(list) {
    if (!Array.isArray(list)) return [];
    return list.slice(0, 8).map((item) => {
      if (typeof item === 'string') return { label: str(item, 200), message: str(item, MAX_MESSAGE_CHARS) };
      if (!item || typeof item !== 'object') return null;
      const label = str(item.label, 200);
      const message = str(item.message, MAX_MESSAGE_CHARS) || label;
      return { label: label || message, message: message };
    }).filter((s) => s && s.label.trim() && s.message.trim());
  }

  function normalizeReply(raw) {
    if (!raw || typeof raw !== 'object') return null;
    const text = str(raw.text, 50000);
    const html = str(raw.html, 100000);
    if (!text.trim() && !html.trim()) return null;
    return {
      kind: REPLY_KINDS.indexOf(raw.kind) >= 0 ? raw.kind : 'fallback',
      text: text,
      html: html,
      intent: raw.intent && typeof raw.intent === 'object'
        ? { name: str(raw.intent.name, 100), confidence: Number(raw.intent.confidence) || 0 }
        : null,
      aspect: typeof raw.aspect === 'string' ? str(raw.aspect, 50) : null,
      sources: (Array.isArray(raw.sources) ? raw.sources : []).slice(0, 10).map((s) => {
        s = s && typeof s === 'object' ? s : {};
        return {
          type: str(s.type, 50), id: str(s.id, 200), title: str(s.title, 500), url: str(s.url, 2000),
          score: Number(s.score) || 0, updated: str(s.updated, 50), attribution: str(s.attribution, 500)
        };
      }).filter((s) => s.title),
      offices: (Array.isArray(raw.offices) ? raw.offices : []).slice(0, 20).map((o) => {
        o = o && typeof o === 'object' ? o : {};
        return {
          id: str(o.id, 200), name: str(o.name, 500), address: str(o.address, 500),
          phone: str(o.phone, 100), url: str(o.url, 2000)
        };
      }).filter((o) => o.name),
      suggestions: normalizeSuggestions(raw.suggestions),
      context: str(raw.context, 8000)
    };
  }

  /* ------------------------------------------------------------------ */
  /* DOM helpers (no innerHTML anywhere)                                 */
  /* ------------------------------------------------------------------ */

  /** h('p', {class: 'x', 'aria-label': 'y'}, 'text', childNode, ...) */
  function h(tag, attrs) {
    const el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach((name) => {
        const value = attrs[name];
        if (value == null || value === false) return;
        if (name === 'text') el.textContent = value;
        else el.setAttribute(name, value === true ? '' : String(value));
      });
    }
    for (let i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(parent, child) {
    if (child == null || child === false) return;
    if (Array.isArray(child)) child.forEach((c) => { append(parent, c); });
    else parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const ICONS = {
    chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z',
    close: 'M6 6l12 12M18 6L6 18',
    external: 'M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5'
  };

  /** A decorative inline SVG icon (aria-hidden; the control carries the name). */
  function icon(name, className) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'icon ' + (className || ''));
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function srOnly(text) {
    return h('span', { class: 'sr-only', text: text });
  }

  /* ------------------------------------------------------------------ */
  /* Links and sanitising                                                */
  /* ------------------------------------------------------------------ */

  /** Absolute http/https/mailto/tel URL, or '' (relative and other schemes are refused). */
  function safeHref(value, allowMailTel) {
    if (typeof value !== 'string') return '';
    const cleaned = value.replace(/[\u0000-\u0020\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/g, '');
    if (!cleaned) return '';
    try {
      const url = new URL(cleaned); // no base: relative URLs throw and are dropped
      if (url.protocol === 'https:' || url.protocol === 'http:') return url.href;
      if (allowMailTel && (url.protocol === 'mailto:' || url.protocol === 'tel:')) return url.href;
    } catch (e) { /* not a URL */ }
    return '';
  }

  /**
   * A link element. Web links open in a new tab by default so the citizen keeps
   * the page and the chat; the new tab is announced (WCAG technique G201).
   */
  function makeLink(href, label, target) {
    const a = h('a', { href: href });
    append(a, label);
    const web = /^https?:/i.test(href);
    if (web && target === '_blank' && !isSameDocument(href)) {
      a.setAttribute('target', '_blank');
      a.setAttribute('rel', 'noopener noreferrer');
      a.appendChild(icon('external', 'icon-external'));
      a.appendChild(srOnly(' (öffnet in neuem Tab)'));
    } else if (web) {
      a.setAttribute('rel', 'noopener');
    }
    return a;
  }

  /** True for a link to a place on this very page ("#datenschutz"): it never opens a new tab. */
  function isSameDocument(href) {
    try {
      const there = new URL(href);
      const here = new URL(window.location.href);
      there.hash = '';
      here.hash = '';
      return there.href === here.href;
    } catch (e) {
      return false;
    }
  }

  const ALLOWED_TAGS = { P: 1, BR: 1, UL: 1, OL: 1, LI: 1, STRONG: 1, EM: 1, B: 1, I: 1, H3: 1, H4: 1, H5: 1, A: 1 };
  /** Elements dropped with everything inside them (everything else not allowed is unwrapped). */
  const DROPPED_TAGS = {
    SCRIPT: 1, STYLE: 1, TEMPLATE: 1, IFRAME: 1, FRAME: 1, FRAMESET: 1, OBJECT: 1, EMBED: 1,
    NOSCRIPT: 1, SVG: 1, MATH: 1, TEXTAREA: 1, SELECT: 1, OPTION: 1, BUTTON: 1, INPUT: 1,
    FORM: 1, HEAD: 1, TITLE: 1, META: 1, LINK: 1, BASE: 1, IMG: 1, PICTURE: 1, VIDEO: 1,
    AUDIO: 1, SOURCE: 1, TRACK: 1, CANVAS: 1, MAP: 1, AREA: 1, DIALOG: 1, PORTAL: 1, SLOT: 1
  };
  const MAX_DEPTH = 16;

  let trustedPolicy = null;
  /**
   * Under a Trusted Types CSP, DOMParser needs a policy. It is only a parser
   * input here: the parsed document is inert and is never inserted; sanitizeInto
   * rebuilds the allowed subset node by node.
   */
  function parseHtml(html) {
    let input = html;
    if (window.trustedTypes && window.trustedTypes.createPolicy) {
      try {
        trustedPolicy = trustedPolicy || window.trustedTypes.createPolicy('sophia', {
          createHTML: (s) => s
        });
        input = trustedPolicy.createHTML(html);
      } catch (e) { /* policy not allowed: DOMParser may throw below, then text is used */ }
    }
    return new DOMParser().parseFromString(input, 'text/html');
  }

  /**
   * Defence in depth: the server already sanitises `html`, but the widget
   * rebuilds only allowed elements (p, br, ul, ol, li, strong, em, b, i, h3-h5,
   * a[href]) with fresh nodes of this document, copying no attribute except a
   * checked href.
   */
  function sanitizeInto(target, source, linkTarget, depth) {
    const children = source.childNodes;
    for (let i = 0; i < children.length; i++) {
      const node = children[i];
      if (node.nodeType === 3) {
        // Whitespace between list items would render as gaps under white-space: pre-line.
        if (/^(UL|OL)$/.test(target.nodeName) && !node.data.trim()) continue;
        target.appendChild(document.createTextNode(node.data));
        continue;
      }
      if (node.nodeType !== 1) continue; // comments, processing instructions
      const tag = String(node.nodeName).toUpperCase();
      if (DROPPED_TAGS[tag]) continue;
      if (depth >= MAX_DEPTH) {
        target.appendChild(document.createTextNode(node.textContent || ''));
        continue;
      }
      if (!ALLOWED_TAGS[tag]) {
        sanitizeInto(target, node, linkTarget, depth + 1); // unwrap, keep the text
        continue;
      }
      if (tag === 'A') {
        const href = safeHref(node.getAttribute('href'), true);
        if (!href) {
          sanitizeInto(target, node, linkTarget, depth + 1);
          continue;
        }
        const label = document.createDocumentFragment();
        sanitizeInto(label, node, linkTarget, depth + 1);
        target.appendChild(makeLink(href, label, linkTarget));
        continue;
      }
      const el = document.createElement(tag.toLowerCase());
      sanitizeInto(el, node, linkTarget, depth + 1);
      target.appendChild(el);
    }
  }

  /** Plain text as paragraphs (blank line = new paragraph; line breaks kept by CSS). */
  function renderText(target, text) {
    text.split(/\n\s*\n/).forEach((para) => {
      if (para.trim()) target.appendChild(h('p', { text: para.trim() }));
    });
  }

  function renderBody(reply, linkTarget) {
    const body = h('div', { class: 'content' });
    if (reply.html) {
      try {
        sanitizeInto(body, parseHtml(reply.html).body, linkTarget, 0);
      } catch (e) {
        body.textContent = '';
      }
    }
    if (!body.textContent.trim()) {
      body.textContent = '';
      renderText(body, reply.text);
    }
    return body;
  }

  /* ------------------------------------------------------------------ */
  /* Formatting                                                          */
  /* ------------------------------------------------------------------ */

  /** "2026-06-08" -> "08.06.2026"; anything else is shown as given. */
  function formatDate(value) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    return m ? m[3] + '.' + m[2] + '.' + m[1] : value;
  }

  function squash(text) {
    return String(text || '').replace(/\s+/g, ' ').trim().toLowerCase();
  }

  function telHref(phone) {
    const digits = phone.replace(/[^\d+]/g, '');
    return digits.length >= 3 ? 'tel:' + digits : '';
  }

  /* ------------------------------------------------------------------ */
  /* Network                                                             */
  /* ------------------------------------------------------------------ */

  /**
   * POST JSON. No cookies are sent (credentials: 'omit') and no referrer:
   * the server needs neither, and data minimisation is the rule.
   * Resolves to {status, data}; rejects only on network failure or timeout.
   */
  function postJson(url, body) {
    if (typeof window.fetch !== 'function') return Promise.reject(new Error('fetch is not available'));
    const controller = window.AbortController ? new AbortController() : null;
    const timer = controller ? setTimeout(() => { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      cache: 'no-store',
      mode: 'cors',
      signal: controller ? controller.signal : undefined
    }).then((response) => {
      if (response.status === 204) return { status: 204, data: null };
      return response.text().then((raw) => {
        let data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
        return { status: response.status, data: data };
      });
    }).then((result) => {
      if (timer) clearTimeout(timer);
      return result;
    }, (error) => {
      if (timer) clearTimeout(timer);
      throw error;
    });
  }

  /** A citizen-facing German message for a failed request (server messages are for developers). */
  function errorMessage(status, code) {
    if (status === 0) {
      return { text: 'Die Verbindung zum Chat ist gerade gestört. Bitte versuchen Sie es gleich noch einmal.', retry: true };
    }
    if (code === 'message_too_long' || code === 'body_too_large' || status === 413) {
      return { text: 'Ihre Nachricht ist zu lang. Bitte fassen Sie Ihre Frage kürzer (höchstens ' +
        MAX_MESSAGE_CHARS + ' Zeichen).', retry: false };
    }
    if (status === 408) {
      return { text: 'Die Antwort hat zu lange gedauert. Bitte versuchen Sie es noch einmal.', retry: true };
    }
    if (status === 429) {
      return { text: 'Gerade kommen sehr viele Anfragen an. Bitte versuchen Sie es in einer Minute noch einmal.', retry: true };
    }
    if (status === 404 || code === 'unknown_tenant') {
      return { text: 'Der Chat ist auf dieser Seite gerade nicht verfügbar. Bitte nutzen Sie die Kontaktmöglichkeiten des Portals.', retry: false };
    }
    if (status >= 400 && status < 500) {
      return { text: 'Das hat leider nicht geklappt. Bitte formulieren Sie Ihre Frage anders.', retry: false };
    }
    return { text: 'Der Chat ist gerade nicht erreichbar. Bitte versuchen Sie es später noch einmal.', retry: true };
  }

  /* ------------------------------------------------------------------ */
  /* Storage: sessionStorage only, and only after the chat was opened.   */
  /* ------------------------------------------------------------------ */

  function storageKey(settings) {
    return STORAGE_PREFIX + (settings.tenant || 'default');
  }

  function sessionStore() {
    try {
      return window.sessionStorage || null; // may throw (sandboxed frames, blocked storage)
    } catch (e) {
      return null;
    }
  }

  function loadConversation(settings) {
    const store = sessionStore();
    if (!store) return null;
    try {
      const data = JSON.parse(store.getItem(storageKey(settings)) || 'null');
      if (!data || typeof data !== 'object' || !Array.isArray(data.entries)) return null;
      const entries = data.entries.map(restoreEntry).filter(Boolean);
      return {
        entries: entries,
        context: str(data.context, 8000),
        location: str(data.location, 200)
      };
    } catch (e) {
      return null;
    }
  }

  function restoreEntry(entry) {
    if (!entry || typeof entry !== 'object') return null;
    if (entry.who === 'greeting') return { who: 'greeting' };
    if (entry.who === 'user') {
      const text = str(entry.text, MAX_MESSAGE_CHARS);
      return text ? { who: 'user', text: text } : null;
    }
    if (entry.who === 'bot') {
      const reply = normalizeReply(entry.reply);
      if (!reply) return null;
      const feedback = entry.feedback === 'yes' || entry.feedback === 'no' ? entry.feedback : null;
      return { who: 'bot', reply: reply, feedback: feedback };
    }
    return null;
  }

  function saveConversation(settings, state) {
    const store = sessionStore();
    if (!store) return;
    const entries = state.entries.filter((e) => e.who !== 'error')
      .slice(-MAX_STORED_ENTRIES)
      .map((e) => {
        if (e.who === 'bot') return { who: 'bot', reply: e.reply, feedback: e.feedback };
        if (e.who === 'user') return { who: 'user', text: e.text };
        return { who: 'greeting' };
      });
    const data = { v: 1, context: state.context || '', location: state.location || '', entries: entries };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        store.setItem(storageKey(settings), JSON.stringify(data));
        return;
      } catch (e) {
        // Quota exceeded: keep the newer half and try again.
        data.entries = data.entries.slice(Math.floor(data.entries.length / 2));
      }
    }
  }

  function clearConversation(settings) {
    const store = sessionStore();
    if (!store) return;
    try { store.removeItem(storageKey(settings)); } catch (e) { /* nothing to do */ }
  }

  /* ------------------------------------------------------------------ */
  /* Styles                                                              */
  /* ------------------------------------------------------------------ */

  // Default colours (contrast against their backgrounds, WCAG 2.1 AA needs 4.5:1):
  //   #ffffff on accent #005a9c: 7.1   #1b1b1b on #ffffff: 17.2   #1b1b1b on #eef1f4: 15.2
  //   #005a9c on #eef1f4: 6.3          #4a5057 on #eef1f4: 7.2    #1b1b1b on #fff4ce: 15.7
  //   #005a9c on #ffffff: 7.1          #4a5057 on #ffffff: 8.2    #1b1b1b on #fdecea: 15.1
  //   borders #6b7078 on #ffffff: 5.0 (UI components need 3:1)
  const CSS = [
    ':host {',
    '  all: initial;',
    '  display: block;',
    '  --_accent: var(--sophia-accent, #005a9c);',
    '  --_accent-text: var(--sophia-accent-text, #ffffff);',
    '  --_bg: var(--sophia-background, #ffffff);',
    '  --_text: var(--sophia-text, #1b1b1b);',
    '  --_muted: var(--sophia-muted-text, #4a5057);',
    '  --_bot-bg: var(--sophia-bot-background, #eef1f4);',
    '  --_bot-text: var(--sophia-bot-text, var(--_text));',
    '  --_user-bg: var(--sophia-user-background, var(--_accent));',
    '  --_user-text: var(--sophia-user-text, var(--_accent-text));',
    '  --_link: var(--sophia-link, var(--_accent));',
    '  --_border: var(--sophia-border, #6b7078);',
    '  --_focus: var(--sophia-focus, #1b1b1b);',
    '  --_notice-bg: var(--sophia-notice-background, #fff4ce);',
    '  --_error-bg: var(--sophia-error-background, #fdecea);',
    '  --_error-border: var(--sophia-error-border, #b3261e);',
    '  --_radius: var(--sophia-radius, 0.5rem);',
    '  --_offset: var(--sophia-offset, 1rem);',
    '  --_z: var(--sophia-z-index, 9000);',
    '  font-family: var(--sophia-font, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif);',
    /* Never below 16 px, even on portals with html { font-size: 62.5% }. */
    '  font-size: var(--sophia-font-size, max(1rem, 16px));',
    '  line-height: 1.5;',
    '  color: var(--_text);',
    '}',
    '*, *::before, *::after { box-sizing: border-box; }',
    '[hidden] { display: none !important; }',
    '.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;',
    '  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0; }',
    '.icon { width: 1.25em; height: 1.25em; flex: none; fill: none; stroke: currentColor;',
    '  stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }',
    '.icon-external { width: 0.85em; height: 0.85em; margin-left: 0.2em; vertical-align: -0.05em; }',
    'button { font: inherit; line-height: 1.25; cursor: pointer; }',
    'a { color: var(--_link); text-decoration: underline; text-underline-offset: 0.15em; }',
    'a:hover { text-decoration-thickness: 2px; }',
    /* Focus is always visible (WCAG 2.4.7). */
    'button:focus-visible, a:focus-visible, .log:focus-visible {',
    '  outline: 3px solid var(--_focus); outline-offset: 2px; }',
    '.input:focus { outline: 3px solid var(--_focus); outline-offset: 1px; }',
    '.header :focus-visible { outline-color: var(--_accent-text); }',

    /* Launcher */
    '.launcher { position: fixed; right: var(--_offset); bottom: var(--_offset); z-index: var(--_z);',
    '  display: inline-flex; align-items: center; gap: 0.5em; min-height: 3em; max-width: calc(100vw - 2 * var(--_offset));',
    '  padding: 0.625em 1.125em; border: 2px solid transparent; border-radius: 1.5em;',
    '  background: var(--_accent); color: var(--_accent-text); font-weight: 600;',
    '  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.3); }',
    '.launcher:focus-visible { box-shadow: 0 0 0 2px #ffffff, 0 2px 8px rgba(0, 0, 0, 0.3); }',
    '.root.left .launcher { right: auto; left: var(--_offset); }',

    /* Panel: a non-modal dialog above the launcher */
    '.panel { position: fixed; z-index: var(--_z); right: var(--_offset); bottom: calc(var(--_offset) + 3.75em);',
    '  width: min(26em, calc(100vw - 2 * var(--_offset)));',
    '  height: min(42em, calc(100vh - 2 * var(--_offset) - 4.5em));',
    '  height: min(42em, calc(100dvh - 2 * var(--_offset) - 4.5em));',
    '  display: flex; flex-direction: column; overflow: hidden;',
    '  background: var(--_bg); color: var(--_text); border: 1px solid var(--_border);',
    '  border-radius: var(--_radius); box-shadow: 0 8px 28px rgba(0, 0, 0, 0.3);',
    '  animation: sophia-in 0.16s ease-out; }',
    '.root.left .panel { right: auto; left: var(--_offset); }',
    '@keyframes sophia-in { from { opacity: 0; transform: translateY(0.5em); } to { opacity: 1; transform: none; } }',

    '.header { display: flex; align-items: flex-start; gap: 0.5em; padding: 0.625em 0.625em 0.625em 1em;',
    '  background: var(--_accent); color: var(--_accent-text); }',
    '.heading { flex: 1 1 auto; min-width: 0; padding-top: 0.25em; }',
    '.title { margin: 0; font-size: 1.125em; line-height: 1.3; font-weight: 700; overflow-wrap: anywhere; }',
    '.subtitle { margin: 0; font-size: 0.875em; }',
    '.close { flex: none; display: inline-flex; align-items: center; justify-content: center;',
    '  width: 2.75em; height: 2.75em; padding: 0; border: 2px solid transparent; border-radius: 0.375em;',
    '  background: transparent; color: inherit; }',
    '.close:hover { background: rgba(255, 255, 255, 0.18); }',

    '.notice { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.125em 1em; padding: 0.5em 1em;',
    '  background: var(--_notice-bg); color: var(--_text); font-size: 0.875em; border-bottom: 1px solid var(--_border); }',
    '.notice p { margin: 0; }',
    '.hint { font-weight: 600; }',
    '.links { display: flex; flex-wrap: wrap; gap: 0 1em; }',
    '.notice a { color: var(--_text); }',

    '.log { position: relative; flex: 1 1 auto; min-height: 6em; overflow-y: auto; overscroll-behavior: contain;',
    '  display: flex; flex-direction: column; gap: 0.75em; padding: 1em; }',
    '.msg { max-width: 92%; }',
    '.msg.user { align-self: flex-end; }',
    '.msg.bot, .msg.error { align-self: flex-start; }',
    '.bubble { padding: 0.625em 0.875em; border-radius: var(--_radius); overflow-wrap: anywhere; }',
    '.user .bubble { background: var(--_user-bg); color: var(--_user-text); border-bottom-right-radius: 0.125em;',
    '  border: 1px solid transparent; white-space: pre-line; }',
    '.bot .bubble { background: var(--_bot-bg); color: var(--_bot-text); border-bottom-left-radius: 0.125em;',
    '  border: 1px solid transparent; }',
    '.error .bubble { background: var(--_error-bg); color: var(--_text); border-left: 4px solid var(--_error-border); }',
    '.bubble p { margin: 0 0 0.5em; white-space: pre-line; }',
    '.bubble ul, .bubble ol { margin: 0 0 0.5em; padding-left: 1.25em; }',
    '.bubble li { margin: 0.125em 0; }',
    '.bubble h3, .bubble h4, .bubble h5 { margin: 0.75em 0 0.25em; font-size: 1em; line-height: 1.3; }',
    '.content > :first-child { margin-top: 0; }',
    '.bubble > :last-child, .content > :last-child, .block > :last-child { margin-bottom: 0; }',
    '.block { margin-top: 0.75em; padding-top: 0.5em; border-top: 1px solid rgba(0, 0, 0, 0.15); }',
    '.block-label { margin: 0 0 0.25em; font-weight: 600; }',
    '.block ul { list-style: none; padding-left: 0; }',
    '.block li + li { margin-top: 0.5em; }',
    '.meta { display: block; color: var(--_muted); font-size: 0.875em; }',

    '.suggestions { display: flex; flex-wrap: wrap; gap: 0.5em; margin-top: 0.625em; }',
    '.chip { min-height: 2.5em; padding: 0.375em 0.875em; text-align: left; color: var(--_accent);',
    '  background: var(--_bg); border: 2px solid var(--_accent); border-radius: 1.25em; }',
    '.chip:hover { background: var(--_accent); color: var(--_accent-text); }',
    '.retry { margin-top: 0.5em; }',

    '.feedback { display: flex; flex-wrap: wrap; align-items: center; gap: 0.375em 0.5em; margin-top: 0.375em;',
    '  font-size: 0.875em; color: var(--_muted); }',
    '.fb { min-height: 2.25em; min-width: 3.25em; padding: 0.25em 0.75em; color: var(--_text);',
    '  background: var(--_bg); border: 1px solid var(--_border); border-radius: 0.375em; }',
    '.fb:hover { border-color: var(--_text); }',
    '.fb[aria-pressed="true"] { background: var(--_accent); color: var(--_accent-text); border-color: var(--_accent); }',
    '.fb[aria-disabled="true"] { cursor: default; }',
    '.fb-status { flex-basis: 100%; }',

    '.status { margin: 0; padding: 0 1em; min-height: 1.5em; font-size: 0.875em; color: var(--_muted); }',
    '.dot { display: inline-block; animation: sophia-blink 1.2s infinite both; }',
    '.dot:nth-child(2) { animation-delay: 0.2s; } .dot:nth-child(3) { animation-delay: 0.4s; }',
    '@keyframes sophia-blink { 0%, 80%, 100% { opacity: 0.2; } 40% { opacity: 1; } }',

    '.composer { padding: 0.5em 1em 0.25em; border-top: 1px solid var(--_border); }',
    '.composer label { display: block; margin-bottom: 0.25em; font-weight: 600; font-size: 0.875em; }',
    '.row { display: flex; flex-wrap: wrap; gap: 0.5em; }',
    '.input { flex: 1 1 10em; min-width: 0; min-height: 2.75em; padding: 0.5em 0.75em; font: inherit;',
    '  color: var(--_text); background: var(--_bg); border: 2px solid var(--_border); border-radius: 0.375em; }',
    '.send { flex: none; min-height: 2.75em; padding: 0.5em 1em; font-weight: 600; color: var(--_accent-text);',
    '  background: var(--_accent); border: 2px solid var(--_accent); border-radius: 0.375em; }',
    '.send[aria-disabled="true"] { cursor: progress; }',
    '.footer { display: flex; justify-content: flex-end; padding: 0 1em 0.375em; }',
    '.reset { min-height: 2em; padding: 0.25em; border: 0; background: none; color: var(--_link);',
    '  font-size: 0.875em; text-decoration: underline; }',

    /* Phones, narrow windows and 200 %+ zoom: the panel fills the viewport. */
    '@media (max-width: 30em), (max-height: 34em) {',
    '  .panel, .root.left .panel { top: 0; right: 0; bottom: 0; left: 0; width: auto; height: auto;',
    '    border: 0; border-radius: 0; }',
    '  .root.is-open .launcher { display: none; }',
    '}',
    /* Very low viewports (landscape phone, 400 % zoom): one scroll area instead of a squeezed log. */
    '@media (max-height: 24em) {',
    '  .panel { overflow-y: auto; }',
    '  .log { flex: none; overflow: visible; min-height: 0; }',
    '}',
    '@media (prefers-reduced-motion: reduce) {',
    '  .panel, .dot { animation: none; }',
    '  .dot { opacity: 1; }',
    '}',
    '@media (forced-colors: active) {',
    '  .launcher, .send, .chip, .fb, .close, .panel, .bubble { border: 1px solid CanvasText; }',
    '  .icon { stroke: CanvasText; } button .icon { stroke: ButtonText; }',
    '  .fb[aria-pressed="true"] { forced-color-adjust: none; background: Highlight; color: HighlightText; }',
    '}',
    '@media print { :host { display: none !important; } }'
  ].join('\n');

  function attachStyles(root) {
    // Constructable stylesheets are not blocked by a CSP without 'unsafe-inline';
    // a <style> element is the fallback for older browsers.
    try {
      if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet &&
          'replaceSync' in CSSStyleSheet.prototype) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
        return;
      }
    } catch (e) { /* fall through */ }
    root.appendChild(h('style', { text: CSS }));
  }

  /* ------------------------------------------------------------------ */
  /* The custom element                                                  */
  /* ------------------------------------------------------------------ */

  let settingsForElements = DEFAULTS;
  let idCounter = 0;

  class SophiaChat extends HTMLElement {
    connectedCallback() {
      if (this._built) return;
      this._built = true;
      this.settings = settingsForElements;
      this.state = {
        open: false,
        busy: false,
        started: false, // true once the citizen opened the chat (or a stored conversation exists)
        context: '',
        location: this.settings.location,
        entries: [],
        generation: 0 // bumped by reset(): late replies to a forgotten conversation are dropped
      };
      this._build();
      this._restore();
    }

    /* ---- construction ---- */

    _build() {
      const s = this.settings;
      const root = this.attachShadow({ mode: 'open' });
      attachStyles(root);

      this.$launcher = h('button', {
        class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'sophia-panel'
      }, icon('chat'), h('span', { text: s.launcherLabel }));
      this.$launcher.addEventListener('click', () => {
        if (this.state.open) this.close(); else this.open();
      });

      this.$close = h('button', { class: 'close', type: 'button', 'aria-label': 'Chat schließen' }, icon('close'));
      this.$close.addEventListener('click', () => { this.close(); });

      const links = h('p', { class: 'links' });
      if (s.privacyUrl) links.appendChild(makeLink(s.privacyUrl, 'Datenschutz', s.linkTarget));
      if (s.accessibilityUrl) links.appendChild(makeLink(s.accessibilityUrl, 'Barrierefreiheit', s.linkTarget));

      this.$log = h('div', {
        class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Gesprächsverlauf',
        tabindex: '0' // a scrollable region must be reachable by keyboard
      });
      this.$status = h('p', { class: 'status', role: 'status' });

      this.$input = h('input', {
        id: 'sophia-input', class: 'input', type: 'text', name: 'message', autocomplete: 'off',
        maxlength: String(MAX_MESSAGE_CHARS), enterkeyhint: 'send', spellcheck: 'true',
        'aria-describedby': 'sophia-hint'
      });
      this.$send = h('button', { class: 'send', type: 'submit', text: 'Senden' });
      const form = h('form', { class: 'composer', novalidate: true },
        h('label', { for: 'sophia-input', text: 'Ihre Frage' }),
        h('div', { class: 'row' }, this.$input, this.$send));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        this._submitFromInput();
      });

      const reset = h('button', { class: 'reset', type: 'button', text: 'Gespräch löschen' });
      reset.addEventListener('click', () => { this.reset(); });

      this.$panel = h('section', {
        id: 'sophia-panel', class: 'panel', role: 'dialog', 'aria-modal': 'false',
        'aria-labelledby': 'sophia-title sophia-subtitle', hidden: true
      },
      h('div', { class: 'header' },
        h('div', { class: 'heading' },
          h('h2', { id: 'sophia-title', class: 'title', text: s.title }),
          // Says that answers come from a machine (AI Act transparency).
          h('p', { id: 'sophia-subtitle', class: 'subtitle', text: 'Chatbot Sophia' })),
        this.$close),
      h('div', { class: 'notice' },
        h('p', { id: 'sophia-hint', class: 'hint', text: 'Bitte keine persönlichen Daten eingeben.' }),
        links.childNodes.length ? links : null),
      this.$log,
      this.$status,
      form,
      h('div', { class: 'footer' }, reset));

      // lang: all texts of the widget are German, also on a portal's English pages.
      this.$root = h('div', { class: 'root' + (s.position === 'left' ? ' left' : ''), lang: 'de' },
        this.$panel, this.$launcher);
      root.appendChild(this.$root);

      // Esc closes the panel from anywhere inside it (and from the launcher).
      this.$root.addEventListener('keydown', (event) => {
        if ((event.key === 'Escape' || event.key === 'Esc') && this.state.open) {
          event.preventDefault();
          event.stopPropagation();
          this.close();
        }
      });
    }

    /** Restores a conversation of this tab (read only: nothing is written at load). */
    _restore() {
      const saved = loadConversation(this.settings);
      if (!saved || !saved.entries.length) return;
      this.state.started = true;
      this.state.entries = saved.entries;
      this.state.context = saved.context;
      if (saved.location && !this.state.location) this.state.location = saved.location;
      const last = saved.entries.length - 1;
      for (let i = 0; i <= last; i++) this._renderEntry(saved.entries[i], i === last);
    }

    /* ---- public methods ---- */

    open() {
      const st = this.state;
      if (!st) return;
      if (!st.open) {
        st.open = true;
        st.started = true;
        this.$panel.hidden = false;
        this.$root.classList.add('is-open');
        this.$launcher.setAttribute('aria-expanded', 'true');
        if (!st.entries.length) this._addEntry({ who: 'greeting' });
        this._emit('sophia:open', {});
        this._scrollToEnd();
      }
      this.$input.focus();
    }

    close() {
      const st = this.state;
      if (!st || !st.open) return;
      // Focus goes back to the launcher only when it was inside the widget: a host
      // page calling close() must not have its own focus taken away.
      const focusInside = document.activeElement === this || this.shadowRoot.activeElement != null;
      st.open = false;
      this.$panel.hidden = true;
      this.$root.classList.remove('is-open');
      this.$launcher.setAttribute('aria-expanded', 'false');
      if (focusInside) this.$launcher.focus();
      this._emit('sophia:close', {});
    }

    /**
     * Sends a message as if the citizen had typed it (opening the chat first).
     * Resolves to the reply, or null when nothing was sent or the request failed.
     */
    send(text) {
      if (!this.state) return Promise.resolve(null);
      if (!this.state.open) this.open();
      return this._submit(text);
    }

    /** Sets the citizen's location (postcode, ARS or "lat,lon"); null clears it. */
    setContext(ctx) {
      if (!this.state || !ctx || typeof ctx !== 'object') return;
      if ('location' in ctx) {
        this.state.location = ctx.location == null ? '' : str(String(ctx.location).trim(), 200);
        this._persist();
      }
    }

    /** Forgets the conversation (transcript, context and sessionStorage). */
    reset() {
      if (!this.state) return;
      this.state.generation++;
      this.state.entries = [];
      this.state.context = '';
      this.$log.textContent = '';
      this._setBusy(false);
      clearConversation(this.settings);
      if (this.state.open) {
        this._addEntry({ who: 'greeting' });
        this.$input.focus();
      }
    }

    /* ---- sending ---- */

    _submitFromInput() {
      const text = this.$input.value;
      if (!text.trim()) {
        this.$input.focus();
        return;
      }
      if (this.state.busy) return; // the status line already says Sophia is answering
      this.$input.value = '';
      this._submit(text);
      this.$input.focus();
    }

    _submit(text) {
      text = typeof text === 'string' ? text.trim() : '';
      if (!text || this.state.busy) return Promise.resolve(null);
      if (text.length > MAX_MESSAGE_CHARS) {
        this._showError(errorMessage(400, 'message_too_long'), null);
        return Promise.resolve(null);
      }
      const event = this._emit('sophia:message', { text: text }, true);
      if (event.defaultPrevented) return Promise.resolve(null);
      const hadFocusInLog = this.$log.contains(this.shadowRoot.activeElement);
      this._removeTransientControls();
      if (hadFocusInLog) this.$input.focus(); // the pressed quick reply is gone
      this._addEntry({ who: 'user', text: text });
      return this._request(text);
    }

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
        if (stale()) return null;
        const reply = result.status === 200 ? normalizeReply(result.data) : null;
        if (!reply) {
          const err = result.data && result.data.error ? result.data.error : {};
          warn('chat request failed: HTTP ' + result.status + ' ' + (err.code || '') + ' ' + (err.message || ''));
          this._showError(errorMessage(result.status === 200 ? 500 : result.status, err.code), text);
          return null;
        }
        if (reply.context) st.context = reply.context;
        this._addEntry({ who: 'bot', reply: reply, feedback: null });
        this._emit('sophia:reply', { reply: JSON.parse(JSON.stringify(reply)) });
        return reply;
      }, (error) => {
        if (stale()) return null;
        warn('chat request failed: ' + (error && error.name === 'AbortError' ? 'timeout' : error));
        this._showError(errorMessage(error && error.name === 'AbortError' ? 408 : 0, ''), text);
        return null;
      }).then((reply) => {
        if (!stale()) this._setBusy(false);
        return reply;
      });
    }

    _setBusy(busy) {
      this.state.busy = busy;
      if (busy) this.$send.setAttribute('aria-disabled', 'true');
      else this.$send.removeAttribute('aria-disabled');
      this._setStatus(busy ? 'typing' : '');
    }

    _setStatus(what) {
      this.$status.textContent = '';
      if (what === 'typing') {
        this.$status.appendChild(document.createTextNode('Sophia schreibt '));
        const dots = h('span', { 'aria-hidden': 'true' },
          h('span', { class: 'dot', text: '.' }), h('span', { class: 'dot', text: '.' }),
          h('span', { class: 'dot', text: '.' }));
        this.$status.appendChild(dots);
      }
    }

    /* ---- transcript ---- */

    _addEntry(entry) {
      this.state.entries.push(entry);
      if (this.state.entries.length > MAX_STORED_ENTRIES * 2) {
        this.state.entries.splice(0, this.state.entries.length - MAX_STORED_ENTRIES * 2);
      }
      const node = this._renderEntry(entry, true);
      if (entry.who === 'user') this._scrollToEnd();
      else this._scrollTo(node);
      this._persist();
      return node;
    }

    /** Writes to sessionStorage, but only once the citizen has opened the chat. */
    _persist() {
      if (!this.state.started) return;
      const meaningful = this.state.entries.some((e) => e.who === 'user' || e.who === 'bot');
      if (meaningful) saveConversation(this.settings, this.state);
    }

    _renderEntry(entry, latest) {
      let node;
      if (entry.who === 'user') node = this._renderUser(entry.text);
      else if (entry.who === 'greeting') node = this._renderGreeting(latest);
      else if (entry.who === 'bot') node = this._renderBot(entry, latest);
      else return null;
      this.$log.appendChild(node);
      return node;
    }

    _renderUser(text) {
      return h('div', { class: 'msg user' }, srOnly('Sie: '), h('div', { class: 'bubble', text: text }));
    }

    _renderGreeting(latest) {
      const bubble = h('div', { class: 'bubble' });
      renderText(bubble, this.settings.greeting);
      const node = h('div', { class: 'msg bot' }, srOnly('Sophia: '), bubble);
      if (latest && this.settings.suggestions.length) node.appendChild(this._renderSuggestions(this.settings.suggestions));
      return node;
    }

    _renderBot(entry, latest) {
      const reply = entry.reply;
      const target = this.settings.linkTarget;
      const content = renderBody(reply, target);
      const bubble = h('div', { class: 'bubble' }, content);
      append(bubble, this._renderSources(reply, content));
      append(bubble, this._renderOffices(reply, content));
      const node = h('div', { class: 'msg bot', 'data-kind': reply.kind }, srOnly('Sophia: '), bubble);
      if (latest && reply.suggestions.length) node.appendChild(this._renderSuggestions(reply.suggestions));
      // Feedback on small talk ("Hallo") would be noise; every other answer gets it.
      if (reply.kind !== 'smalltalk' && reply.context) node.appendChild(this._renderFeedback(entry));
      return node;
    }

    /**
     * The "Quelle" block: title, link and "Stand"/attribution of each source.
     * Parts the answer body already shows (the server's html may carry the link
     * and the "Stand" line itself) are not repeated.
     */
    _renderSources(reply, content) {
      // For a clarify answer, sources are the offered choices: the quick replies show them.
      if (reply.kind === 'clarify' && reply.suggestions.length) return null;
      const shownText = squash(content.textContent);
      const shownHrefs = {};
      Array.prototype.forEach.call(content.querySelectorAll('a[href]'), (a) => {
        shownHrefs[a.getAttribute('href')] = true;
      });
      const target = this.settings.linkTarget;
      const seen = {};
      const items = [];
      reply.sources.forEach((source) => {
        const href = safeHref(source.url, false);
        const key = href || source.title;
        if (seen[key]) return;
        seen[key] = true;
        const showLink = href && !shownHrefs[href];
        const meta = [];
        if (source.updated) {
          const date = formatDate(source.updated);
          if (shownText.indexOf(squash(date)) < 0) meta.push('Stand: ' + date);
        }
        if (source.attribution && shownText.indexOf(squash(source.attribution)) < 0) meta.push(source.attribution);
        if (!showLink && !meta.length) return; // everything is in the answer already
        items.push(h('li', null,
          showLink ? makeLink(href, source.title, target) : h('span', { text: source.title }),
          meta.length ? h('span', { class: 'meta', text: meta.join(' · ') }) : null));
      });
      if (!items.length) return null;
      return h('div', { class: 'block sources' },
        h('p', { class: 'block-label', text: items.length > 1 ? 'Quellen:' : 'Quelle:' }),
        h('ul', null, items));
    }

    /** The offices list (those the answer body does not name already). */
    _renderOffices(reply, content) {
      if (!reply.offices.length) return null;
      const shownText = squash(content.textContent);
      const target = this.settings.linkTarget;
      const missing = reply.offices.filter((o) => shownText.indexOf(squash(o.name)) < 0);
      if (!missing.length) return null;
      const label = missing.length < reply.offices.length ? 'Weitere Standorte:'
        : (missing.length > 1 ? 'Zuständige Stellen:' : 'Zuständige Stelle:');
      const items = missing.map((office) => {
        const href = safeHref(office.url, false);
        const phone = office.phone ? telHref(office.phone) : '';
        return h('li', null,
          h('strong', null, href ? makeLink(href, office.name, target) : office.name),
          office.address ? h('span', { class: 'meta', text: office.address }) : null,
          office.phone ? h('span', { class: 'meta' }, 'Telefon: ',
            phone ? h('a', { href: phone, text: office.phone }) : office.phone) : null);
      });
      return h('div', { class: 'block offices' },
        h('p', { class: 'block-label', text: label }),
        h('ul', null, items));
    }

    /** Quick replies: real buttons that send their message. */
    _renderSuggestions(suggestions) {
      const group = h('div', { class: 'suggestions', role: 'group', 'aria-label': 'Antwortvorschläge' });
      suggestions.forEach((s) => {
        const button = h('button', { class: 'chip', type: 'button', text: s.label });
        button.addEventListener('click', () => { this._submit(s.message); });
        group.appendChild(button);
      });
      return group;
    }

    /** "War das hilfreich? Ja / Nein" for one answer, posted with that answer's context. */
    _renderFeedback(entry) {
      const id = 'sophia-fb-' + (++idCounter);
      const yes = h('button', { class: 'fb', type: 'button', 'aria-pressed': 'false', text: 'Ja' });
      const no = h('button', { class: 'fb', type: 'button', 'aria-pressed': 'false', text: 'Nein' });
      const status = h('span', { class: 'fb-status' });
      const group = h('div', { class: 'feedback', role: 'group', 'aria-labelledby': id },
        h('span', { id: id, text: 'War das hilfreich?' }), yes, no, status);

      const mark = (choice) => {
        yes.setAttribute('aria-pressed', String(choice === 'yes'));
        no.setAttribute('aria-pressed', String(choice === 'no'));
        yes.setAttribute('aria-disabled', 'true');
        no.setAttribute('aria-disabled', 'true');
      };
      if (entry.feedback) mark(entry.feedback);

      const give = (helpful) => {
        if (entry.feedback || entry._pending) return;
        entry._pending = true;
        postJson(this.settings.endpoint + '/api/v1/feedback', {
          context: entry.reply.context, helpful: helpful
        }).then((result) => {
          if (result.status < 200 || result.status >= 300) throw new Error('HTTP ' + result.status);
          entry.feedback = helpful ? 'yes' : 'no';
          mark(entry.feedback);
          status.textContent = 'Danke für Ihre Rückmeldung.';
          this._persist();
          this._emit('sophia:feedback', { helpful: helpful });
        }).catch((error) => {
          warn('feedback failed: ' + error);
          status.textContent = 'Die Rückmeldung konnte nicht gesendet werden. Bitte versuchen Sie es später noch einmal.';
        }).then(() => {
          entry._pending = false;
        });
      };
      yes.addEventListener('click', () => { give(true); });
      no.addEventListener('click', () => { give(false); });
      return group;
    }

    /** A polite error message in the log, with "Erneut senden" when retrying can help. */
    _showError(error, retryText) {
      const node = h('div', { class: 'msg error' }, h('div', { class: 'bubble' },
        srOnly('Hinweis: '), h('p', { text: error.text })));
      if (error.retry && retryText) {
        const retry = h('button', { class: 'chip retry', type: 'button', text: 'Erneut senden' });
        retry.addEventListener('click', () => {
          if (this.state.busy) return;
          node.remove();
          this.$input.focus();
          this._request(retryText);
        });
        node.appendChild(retry);
      }
      this.$log.appendChild(node);
      this._scrollTo(node);
      this._emit('sophia:error', { message: error.text });
    }

    /** Quick replies and retry buttons belong to the latest answer only. */
    _removeTransientControls() {
      Array.prototype.forEach.call(this.$log.querySelectorAll('.suggestions, .msg.error'), (el) => {
        el.remove();
      });
    }

    /* ---- scrolling ---- */

    _scrollBox() {
      const overflow = window.getComputedStyle(this.$log).overflowY;
      return overflow === 'auto' || overflow === 'scroll' ? this.$log : this.$panel;
    }

    _scrollBehavior() {
      const reduce = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      return reduce ? 'auto' : 'smooth';
    }

    _scrollToEnd() {
      if (!this.state.open) return;
      const box = this._scrollBox();
      scrollBoxTo(box, box.scrollHeight, this._scrollBehavior());
    }

    /** Shows the start of a new answer (long answers are read from the top). */
    _scrollTo(node) {
      if (!this.state.open || !node) return;
      const box = this._scrollBox();
      const top = node.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop - 8;
      scrollBoxTo(box, Math.max(0, top), this._scrollBehavior());
    }

    _emit(name, detail, cancelable) {
      const event = new CustomEvent(name, { detail: detail, bubbles: true, composed: true, cancelable: !!cancelable });
      this.dispatchEvent(event);
      return event;
    }
  }

  function scrollBoxTo(box, top, behavior) {
    if (typeof box.scrollTo === 'function') {
      try { box.scrollTo({ top: top, behavior: behavior }); return; } catch (e) { /* old browser */ }
    }
    box.scrollTop = top;
  }

  /* ------------------------------------------------------------------ */
  /* Start-up: define the element, mount it, expose window.Sophia.       */
  /* Nothing is fetched and nothing is stored here.                      */
  /* ------------------------------------------------------------------ */

  const script = findOwnScript();
  settingsForElements = readSettings(script);
  window.customElements.define(TAG, SophiaChat);

  function element() {
    return document.querySelector(TAG);
  }

  function mount() {
    if (!element()) document.body.appendChild(document.createElement(TAG));
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  function call(method) {
    return function () {
      const el = element();
      return el && el[method] ? el[method].apply(el, arguments) : undefined;
    };
  }

  window.Sophia = {
    version: VERSION,
    open: call('open'),
    close: call('close'),
    send(text) {
      const el = element();
      return el && el.send ? el.send(text) : Promise.resolve(null);
    },
    setContext: call('setContext'),
    reset: call('reset'),
    get element() { return element(); }
  };
})();
