/**
 * The one small stylesheet of every page authctl and auth-server show in a
 * browser (auth-server's sign-in, consent and device pages, authctl's
 * loopback callback pages), so they look alike. Inline only: no fonts,
 * scripts or CDNs, light and dark, a visible keyboard focus ring.
 */
export const PAGE_STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#f4f5f7;--card:#fff;--line:#d0d7de;--accent:#0b5cad;--accent-fg:#fff;--danger:#b42318;--ok:#1a7f37}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--card:#161b22;--line:#30363d;--accent:#4493f8;--accent-fg:#0d1117;--danger:#f85149;--ok:#3fb950}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{width:min(28rem,100% - 2rem);margin:4rem 0;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:2rem}
h1{font-size:1.5rem;margin:0 0 .25rem}
.brand{color:var(--muted);font-size:.875rem;margin:0 0 1.5rem;letter-spacing:.02em}
p{margin:.5rem 0 1rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.625rem .75rem;font:inherit;color:inherit;background:var(--card);border:1px solid var(--line);border-radius:8px}
.code{font:600 1.125rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.04em;word-break:break-all}
button{font:inherit;font-weight:600;padding:.625rem 1rem;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);cursor:pointer}
button.secondary{background:transparent;color:var(--fg);border-color:var(--line)}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.5rem}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
input:focus-visible{outline:3px solid var(--accent);outline-offset:1px}
.alert{border:1px solid var(--danger);color:var(--danger);border-radius:8px;padding:.75rem 1rem;margin:1rem 0}
.ok{color:var(--ok)}
ul{padding-left:1.25rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}
dt{color:var(--muted)}dd{margin:0;word-break:break-all}
small,.muted{color:var(--muted)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
`;
