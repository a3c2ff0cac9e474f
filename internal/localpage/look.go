package localpage

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"sync"

	"github.com/plextray/plextray/assets"
)

// Doc is one answer of a page, in plextray's look: the app icon and name,
// a heading, the page's own markup, and a line of small print.
type Doc struct {
	// Title is the browser tab's title (after "plextray · ").
	Title string
	// Heading is the page's one heading.
	Heading string
	// Tone colours the heading: "" plain, "ok" (done), "problem".
	Tone string
	// Body is the page's markup below the heading, made by the caller's
	// own html/template (so escaped).
	Body template.HTML
	// Footer is small print at the bottom (plain text).
	Footer string
	// Refresh, if set, reloads the page after that many seconds (a page
	// waiting for something shows progress this way, without script).
	Refresh int
	// Copy adds the one script a page may run (CopyScript): each button
	// with data-copy="ID" copies the text of the element with that id.
	Copy bool
}

// copyScript is the only script any page runs; the Content-Security-Policy
// allows exactly it, by its hash. Its buttons stay hidden where it cannot
// run, so the page never offers a button that does nothing.
const copyScript = `for(const b of document.querySelectorAll("button[data-copy]")){b.hidden=false;b.addEventListener("click",()=>{navigator.clipboard.writeText(document.getElementById(b.dataset.copy).textContent).then(()=>{b.textContent="Copied"},()=>{b.textContent="Copy failed: select the text"})})}`

// scriptSrc is the policy's script-src: copyScript's hash.
var scriptSrc = func() string {
	h := sha256.Sum256([]byte(copyScript))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}()

// iconURL is the pages' icon as a data: URL, encoded when a page is first
// written rather than at package init.
var iconURL = sync.OnceValue(func() template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(assets.NotifyIcon()))
})

// Write answers with d.
func Write(w http.ResponseWriter, status int, d Doc) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = docTmpl().Execute(w, struct {
		Doc
		Icon   template.URL
		Script template.JS
	}{d, iconURL(), copyScript})
}

// Expired answers that the page has expired (an ended or unknown page).
func Expired(w http.ResponseWriter, status int) {
	Write(w, status, Doc{
		Title:   "page expired",
		Heading: "This page has expired",
		Body:    template.HTML(`<p>It was a one-time page of plextray's and has ended. You can close this tab.</p><p>For a new one, choose the item again in plextray's menu.</p>`),
		Footer:  "This page is served by plextray on this computer.",
	})
}

// docTmpl is parsed on first use, not at package init: every command
// of the program links this package, few serve a page.
var docTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("doc").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
{{- if .Refresh}}
<meta http-equiv="refresh" content="{{.Refresh}}">
{{- end}}
<title>plextray · {{.Title}}</title>
<style>
:root { --fg: #1f2328; --muted: #59636e; --bg: #f4f5f7; --card: #fff; --line: #d8dee4; --accent: #e5a00d; --ok: #1a7f37; --bad: #b3261e; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --card: #161b22; --line: #30363d; --ok: #3fb950; --bad: #f85149; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, Cantarell, sans-serif; }
main { max-width: 30em; margin: 3em auto; padding: 1.75em 2em; background: var(--card); border: 1px solid var(--line); border-top: 4px solid var(--accent); border-radius: 10px; }
header { display: flex; align-items: center; gap: .6em; color: var(--muted); font-weight: 600; }
header img { width: 32px; height: 32px; }
h1 { font-size: 1.35em; margin: .8em 0 .4em; line-height: 1.3; }
h1.ok { color: var(--ok); }
h1.problem { color: var(--bad); }
p { margin: .5em 0; }
label { display: block; font-weight: 600; margin: 1em 0 .3em; }
.row { display: flex; gap: .6em; align-items: stretch; }
input { font: inherit; font-size: 1.6em; width: 5.2em; letter-spacing: .35em; padding: .2em .4em; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
input:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
button { font: inherit; font-weight: 600; padding: 0 1.4em; border: 0; border-radius: 6px; background: var(--accent); color: #1f1500; cursor: pointer; }
.problem { color: var(--bad); font-weight: 600; }
.progress { display: flex; align-items: center; gap: .7em; }
.spinner { width: 1.2em; height: 1.2em; border: 3px solid var(--line); border-top-color: var(--accent); border-radius: 50%; animation: spin 1s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
pre { white-space: pre-wrap; word-break: break-all; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .5em .7em; margin: .3em 0; }
.copy { padding: .3em 1em; }
input.name { font-size: 1.1em; letter-spacing: normal; width: 100%; }
footer { margin-top: 1.5em; padding-top: .8em; border-top: 1px solid var(--line); color: var(--muted); font-size: .85em; }
</style>
</head>
<body>
<main>
<header><img src="{{.Icon}}" alt="" width="32" height="32">plextray</header>
<h1 id="heading"{{if .Tone}} class="{{.Tone}}"{{end}}>{{.Heading}}</h1>
{{.Body}}
{{- if .Footer}}
<footer id="footer">{{.Footer}}</footer>
{{- end}}
</main>
{{- if .Copy}}
<script>{{.Script}}</script>
{{- end}}
</body>
</html>
`))
})
