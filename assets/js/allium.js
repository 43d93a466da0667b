/* Allium: small progressive enhancements. Every page works without this file;
   each feature is found by a data attribute or class and does nothing when
   its elements are absent. Loaded with <script defer>; no inline script. */
(function () {
  'use strict';

  document.documentElement.classList.add('js');

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function pad(n) {
    return String(n).padStart(2, '0');
  }

  /* (a) Body map: the checkboxes stay the source of truth (they are what the
     form posts, and the no-JS fallback); regions mirror them. */
  function initBodyMap(map) {
    var form = map.closest('form');
    var name = map.getAttribute('data-input-name');
    if (!form || !name) return;
    var boxes = new Map();
    all('input[type="checkbox"]', form).forEach(function (box) {
      if (box.name === name) boxes.set(box.value, box);
    });
    var regions = all('.region[data-region]', map).filter(function (r) {
      return boxes.has(r.getAttribute('data-region'));
    });

    function sync() {
      regions.forEach(function (r) {
        var on = boxes.get(r.getAttribute('data-region')).checked;
        r.classList.toggle('selected', on);
        r.setAttribute('aria-checked', on ? 'true' : 'false');
      });
    }

    function toggle(region) {
      var box = boxes.get(region.getAttribute('data-region'));
      if (box.disabled) return;
      box.checked = !box.checked;
      // The same events a click on the box fires, so autosave and sync run.
      box.dispatchEvent(new Event('input', { bubbles: true }));
      box.dispatchEvent(new Event('change', { bubbles: true }));
    }

    regions.forEach(function (r) {
      r.setAttribute('tabindex', '0');
      r.setAttribute('role', 'checkbox');
      var title = r.querySelector('title');
      if (title && !r.hasAttribute('aria-label')) r.setAttribute('aria-label', title.textContent.trim());
      r.addEventListener('click', function () { toggle(r); });
      r.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          toggle(r);
        }
      });
    });
    form.addEventListener('change', function (e) {
      if (e.target.name === name) sync();
    });
    sync();
  }

  /* (c) Autosave: debounce typing, POST the whole form (CSRF field included)
     to its own action with X-Autosave: 1, and report the time saved. */
  var AUTOSAVE_DELAY = 2000;
  var pending = new WeakMap(); // form -> {timer, busy, again}

  function state(form) {
    if (!pending.has(form)) pending.set(form, { timer: 0, busy: false, again: false });
    return pending.get(form);
  }

  function report(form, text, failed) {
    var el = form.querySelector('[data-autosave-status]') || document.querySelector('[data-autosave-status]');
    if (!el) return;
    if (!el.hasAttribute('aria-live') && !el.hasAttribute('role')) el.setAttribute('aria-live', 'polite');
    el.textContent = text;
    el.classList.toggle('error', !!failed);
  }

  function payload(form) {
    var data = new FormData(form);
    return form.enctype === 'multipart/form-data' ? data : new URLSearchParams(data);
  }

  function save(form, leaving) {
    var st = state(form);
    clearTimeout(st.timer);
    st.timer = 0;
    if (st.busy) {
      st.again = true;
      return;
    }
    st.busy = true;
    fetch(form.action, {
      method: 'POST',
      body: payload(form),
      headers: { 'X-Autosave': '1' },
      credentials: 'same-origin',
      keepalive: !!leaving
    }).then(function (res) {
      // A redirect means the session ended and we were sent to sign in.
      if (!res.ok || res.redirected) throw new Error('autosave: HTTP ' + res.status);
      var now = new Date();
      report(form, 'Saved ' + pad(now.getHours()) + ':' + pad(now.getMinutes()));
    }).catch(function () {
      report(form, 'Not saved yet. Your changes are still on this page; save before leaving.', true);
    }).then(function () {
      st.busy = false;
      if (st.again) {
        st.again = false;
        schedule(form);
      }
    });
  }

  function schedule(form) {
    var st = state(form);
    clearTimeout(st.timer);
    st.timer = setTimeout(function () { save(form, false); }, AUTOSAVE_DELAY);
  }

  function flushAutosaves() {
    all('form[data-autosave]').forEach(function (form) {
      if (pending.has(form) && state(form).timer) save(form, true);
    });
  }

  document.addEventListener('input', function (e) {
    var form = e.target.form;
    if (form && form.hasAttribute('data-autosave')) schedule(form);
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') flushAutosaves();
  });
  window.addEventListener('pagehide', flushAutosaves);

  /* (b) Confirm before submit. A submit button may carry its own message. */
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var source = e.submitter && e.submitter.hasAttribute('data-confirm') ? e.submitter : form;
    if (source.hasAttribute('data-confirm')) {
      var message = source.getAttribute('data-confirm') || 'Are you sure?';
      if (!window.confirm(message)) {
        e.preventDefault();
        return;
      }
    }
    // The real submit carries the same data; a late autosave would only race it.
    if (pending.has(form)) clearTimeout(state(form).timer);
  });

  /* (d) Muscle picker: show the chosen muscle's referral pattern. */
  function showReferral(select, keepEmpty) {
    var out = document.getElementById(select.getAttribute('data-muscle-referral'));
    var option = select.options[select.selectedIndex];
    var text = (option && option.getAttribute('data-referral')) || '';
    if (out && (text || !keepEmpty)) out.textContent = text;
  }

  document.addEventListener('change', function (e) {
    if (e.target.matches && e.target.matches('select[data-muscle-referral]')) showReferral(e.target, false);
  });

  /* (e) Print buttons. */
  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('[data-print]');
    if (!button) return;
    e.preventDefault();
    window.print();
  });

  /* The site menu is always open on a wide screen. Browsers that show a closed <details>'s
     content through CSS need nothing; others get it opened here. */
  function initMenu() {
    var menu = document.querySelector('details.site-menu');
    if (!menu || !window.matchMedia || (window.CSS && CSS.supports && CSS.supports('selector(::details-content)'))) return;
    var wide = window.matchMedia('(min-width: 40.01em)');
    var follow = function () { menu.open = wide.matches; };
    follow();
    if (wide.addEventListener) wide.addEventListener('change', follow);
  }

  /* Long forms: the server sends every section open, so the page works without this file,
     and marks the ones not in use with data-fold; they fold here and open when tapped. */
  function foldUnused() {
    all('details[data-fold]').forEach(function (d) { d.open = false; });
  }

  /* (f) Course proposal: choosing another time for a session writes it on the session's line
     and folds the times away again. Without this file the chosen chip shows the choice. */
  document.addEventListener('change', function (e) {
    var input = e.target;
    if (!input.matches || !input.matches('.session-swap input[type="radio"]')) return;
    var swap = input.closest('.session-swap');
    var when = document.getElementById(swap.id + '-when');
    if (when && input.getAttribute('data-when')) when.textContent = input.getAttribute('data-when');
    swap.open = false;
    var summary = swap.querySelector('summary');
    if (summary) summary.focus();
  });

  function init() {
    initMenu();
    foldUnused();
    all('.bodymap[data-input-name]').forEach(initBodyMap);
    // Keep any text the server rendered until a muscle is actually chosen.
    all('select[data-muscle-referral]').forEach(function (s) { showReferral(s, true); });
    // Opt-in: an error summary with tabindex="-1" takes focus so it is read first.
    var summary = document.querySelector('.form-errors[tabindex]');
    if (summary) summary.focus();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
}());
