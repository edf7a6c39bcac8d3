import type { brandPalette } from './branding.js';

/**
 * The pages' one stylesheet (inline, allowed by its CSP hash). System fonts only: nothing is
 * fetched. Colours meet WCAG AA on their backgrounds (text 4.5:1, field borders 3:1); controls are
 * at least 44 px tall; below 480 px the card fills the screen, and long names wrap instead of
 * scrolling sideways.
 */
export function pageStyle(palette: ReturnType<typeof brandPalette>): string {
  const { accent, onAccent, accentText } = palette;
  return `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;padding:48px 16px 24px;background:#f3f4f6;color:#111827;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.card{width:100%;max-width:440px;background:#fff;border:1px solid #e5e7eb;border-radius:16px;box-shadow:0 1px 2px rgba(17,24,39,.04),0 8px 24px rgba(17,24,39,.06);padding:32px;overflow-wrap:anywhere}
.card.wide{max-width:640px}
.brand{display:flex;align-items:center;gap:10px;font-weight:700;font-size:1.0625rem;margin:0 0 28px}
.mark{display:inline-flex;align-items:center;justify-content:center;width:32px;height:32px;border-radius:8px;background:${accent};color:${onAccent};font-size:1rem}
.logo{width:32px;height:32px;border-radius:8px;object-fit:contain}
h1{font-size:1.5rem;line-height:1.25;letter-spacing:-.01em;margin:0 0 8px}
h2{font-size:1.0625rem;margin:28px 0 12px}
p{margin:0 0 16px}
.lead{color:#4b5563}
.lead strong,.who strong{color:#111827}
label{display:block;font-weight:600;font-size:.9375rem;margin:20px 0 6px}
.field{position:relative}
input[type=email],input[type=password],input[type=text]{width:100%;min-height:48px;padding:12px 14px;border:1px solid #6b7280;border-radius:10px;background:#fff;color:#111827;font:inherit}
.field input{padding-right:76px}
input:focus{border-color:${accent};outline:3px solid ${accent};outline-offset:1px}
button:focus-visible,a:focus-visible{outline:3px solid ${accent};outline-offset:2px}
.reveal{position:absolute;top:6px;right:6px;min-height:36px;padding:6px 12px;border:0;border-radius:8px;background:#f3f4f6;color:#111827;font:inherit;font-size:.875rem;font-weight:600;cursor:pointer}
.btn{display:block;width:100%;min-height:48px;padding:12px 16px;border:1px solid transparent;border-radius:10px;font:inherit;font-weight:600;cursor:pointer;text-align:center}
.btn-primary{background:${accent};color:${onAccent}}
.btn-primary:hover{filter:brightness(.93)}
.btn-secondary{background:#fff;color:#111827;border-color:#d1d5db}
.btn-secondary:hover{background:#f9fafb}
form.stack .btn{margin-top:28px}
.cancel{margin-top:12px}
a.btn{text-decoration:none}
.sso{display:grid;gap:12px;margin:24px 0 0}
.sso form{margin:0}
.or{display:flex;align-items:center;gap:12px;margin:24px 0 0;color:#4b5563;font-size:.875rem}
.or::before,.or::after{content:"";flex:1;border-top:1px solid #e5e7eb}
ul.methods{list-style:none;padding:0;margin:0 0 8px}
ul.methods li{padding:10px 0;border-top:1px solid #f3f4f6}
ul.methods li:first-child{border-top:0}
.actions{display:flex;gap:12px;margin-top:28px}
.actions form{flex:1;margin:0}
.alert{background:#fef2f2;color:#991b1b;border:1px solid #fecaca;border-radius:10px;padding:12px 14px;margin:0 0 8px}
.notice{background:#ecfdf5;color:#065f46;border:1px solid #a7f3d0;border-radius:10px;padding:12px 14px;margin:0 0 16px}
.warn{background:#fffbeb;color:#92400e;border:1px solid #fde68a;border-radius:10px;padding:12px 14px;font-size:.9375rem}
.who{display:flex;align-items:center;gap:12px;padding:12px 14px;margin:20px 0;background:#f9fafb;border:1px solid #e5e7eb;border-radius:12px}
.avatar{flex:none;display:inline-flex;align-items:center;justify-content:center;width:36px;height:36px;border-radius:50%;background:${accent};color:${onAccent};font-weight:700}
.who-text{flex:1;min-width:0;font-size:.9375rem;line-height:1.4}
.who form{margin:0}
.linkish{padding:0;border:0;background:none;color:${accentText};font:inherit;font-size:.875rem;text-decoration:underline;cursor:pointer}
ul.scopes{list-style:none;padding:0;margin:0 0 8px}
ul.scopes li{display:flex;gap:12px;align-items:flex-start;padding:10px 0;border-top:1px solid #f3f4f6}
ul.scopes li:first-child{border-top:0}
ul.scopes li::before{content:"\\2713";flex:none;display:inline-flex;align-items:center;justify-content:center;width:24px;height:24px;margin-top:1px;border-radius:50%;background:#ecfdf5;color:#047857;font-size:.8125rem;font-weight:700}
code{font:.8125rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#4b5563}
.scope-id{display:block}
.meta,.small{font-size:.875rem;color:#4b5563}
.page-head{display:flex;flex-wrap:wrap;align-items:flex-start;justify-content:space-between;gap:12px}
.page-head form{margin:0}
.btn-inline{width:auto;min-height:40px;padding:8px 14px}
ul.apps{list-style:none;padding:0;margin:0}
ul.apps>li{border:1px solid #e5e7eb;border-radius:12px;padding:16px;margin:0 0 12px}
.app-head{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:8px 12px}
.app-name{font-weight:600;font-size:1.0625rem}
.app-head form{margin:0}
.connections{margin-top:12px}
ul.attempts{list-style:none;padding:0;margin:4px 0 0;font-size:.875rem}
ul.attempts li.failed{color:#b91c1c}
.problem{margin:8px 0 0;padding:8px 12px;border-left:3px solid #b91c1c;background:#fef2f2;font-size:.875rem}
.btn-danger{background:#fff;color:#b91c1c;border-color:#fca5a5}
.btn-danger:hover{background:#fef2f2}
.chips{display:flex;flex-wrap:wrap;gap:6px;list-style:none;padding:0;margin:12px 0}
.chips li{padding:2px 10px;border-radius:999px;background:#f3f4f6;color:#374151;font-size:.8125rem}
dl.dates{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0;font-size:.875rem;color:#4b5563}
dl.dates dt{font-weight:600;color:#374151}
dl.dates dd{margin:0}
.empty{padding:20px;text-align:center;color:#4b5563;border:1px dashed #d1d5db;border-radius:12px}
h3{font-size:1rem;margin:20px 0 8px}
.check{display:flex;gap:10px;align-items:center;margin-top:20px}
.check input{flex:none;width:20px;height:20px;margin:0}
.check label{margin:0;font-weight:500}
a.btn{text-decoration:none}
.qr{display:block;width:208px;max-width:100%;height:auto;margin:0 auto 16px}
.secret{display:block;padding:10px 12px;background:#f3f4f6;border-radius:8px;font:.9375rem/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.05em;word-break:break-all}
ul.codes{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:6px 16px;list-style:none;padding:12px;margin:0 0 16px;background:#f3f4f6;border-radius:8px;font:.9375rem/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ul.factors{list-style:none;padding:0;margin:0 0 12px}
ul.factors>li{border:1px solid #e5e7eb;border-radius:12px;padding:12px 16px;margin:0 0 8px}
.section-actions{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 8px}
.section-actions form{margin:0}
.or{text-align:center;color:#4b5563;font-size:.875rem;margin:20px 0 12px}
.foot{max-width:440px;margin:20px 0 0;text-align:center;font-size:.8125rem;color:#4b5563}
@media (max-width:480px){
body{padding:0;background:#fff}
.card,.card.wide{border:0;border-radius:0;box-shadow:none;padding:24px 20px}
.foot{padding:0 20px 24px;margin:0}
.actions{flex-direction:column-reverse}
}
`;
}
