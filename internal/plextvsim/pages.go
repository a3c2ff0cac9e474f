package plextvsim

import (
	"html/template"
	"net/http"
	"strings"
)

// The human pages: /link (type a 4-character code, like plex.tv/link) and
// /auth (one click for a strong PIN, like app.plex.tv/auth). Both sign
// the code in to the demo account.

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · plex.tv simulator</title>
<style>
body{font-family:system-ui,sans-serif;background:#1f1f1f;color:#eee;display:flex;justify-content:center;padding-top:10vh}
main{background:#2b2b2b;padding:2em 3em;border-radius:8px;max-width:28em}
h1{color:#e5a00d;margin-top:0}
input{font-size:1.6em;letter-spacing:.2em;width:8em;text-transform:uppercase}
button{font-size:1.2em;background:#e5a00d;border:0;border-radius:4px;padding:.4em 1.2em;cursor:pointer}
.msg{font-size:1.2em}.err{color:#f66}.note{color:#999;font-size:.9em}
</style></head><body><main>
<h1>{{.Title}}</h1>
{{if .Done}}<p class="msg">{{.Message}}</p>{{else}}
{{if .Message}}<p class="msg err">{{.Message}}</p>{{end}}
{{if eq .Kind "link"}}
<form method="post" action="/link/">
<p><label>Code <input name="code" value="{{.Code}}" maxlength="4" autocomplete="off" autofocus required></label></p>
<p><button type="submit">Link</button></p>
</form>
{{else}}
<p id="what">Looking for a sign-in code in this page's address…</p>
<form method="post" action="/auth" id="form" hidden>
<input type="hidden" name="code" id="code"><input type="hidden" name="clientID" id="clientID">
<p><button type="submit">Sign in</button></p>
</form>
<script>
const p = new URLSearchParams(location.hash.replace(/^#!?\??/, ""));
const code = p.get("code");
if (code) {
  document.getElementById("code").value = code;
  document.getElementById("clientID").value = p.get("clientID") || "";
  const product = p.get("context[device][product]") || "An app";
  document.getElementById("what").textContent = product + " wants to sign in to your Plex account.";
  document.getElementById("form").hidden = false;
} else {
  document.getElementById("what").textContent = "This link has no sign-in code.";
}
</script>
{{end}}{{end}}
<p class="note">plex.tv simulator: codes are linked to the demo account “{{.User}}”.</p>
</main></body></html>
`))

type page struct {
	Title, Kind, Code, Message, User string
	Done                             bool
}

func (s *Sim) pageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/link/", http.StatusFound)
	})
	for _, path := range []string{"/link", "/link/{$}"} {
		mux.HandleFunc("GET "+path, s.linkPage)
		mux.HandleFunc("POST "+path, s.linkPage)
	}
	mux.HandleFunc("GET /auth", s.authPage)
	mux.HandleFunc("POST /auth", s.authPage)
}

func (s *Sim) renderPage(w http.ResponseWriter, status int, p page) {
	p.User = s.DemoAccount().Username
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, p)
}

// linkPage is plex.tv/link: GET shows the form (prefilled from ?pin=),
// POST links the code. Like plex.tv/link it takes only 4-character codes.
func (s *Sim) linkPage(w http.ResponseWriter, r *http.Request) {
	p := page{Title: "Link a device", Kind: "link", Code: r.URL.Query().Get("pin")}
	if r.Method == http.MethodGet {
		s.renderPage(w, http.StatusOK, p)
		return
	}
	p.Code = strings.ToUpper(strings.TrimSpace(r.PostFormValue("code")))
	if len(p.Code) != 4 {
		p.Message = "Enter the 4-character code your app shows."
		s.renderPage(w, http.StatusBadRequest, p)
		return
	}
	if _, err := s.LinkPIN(p.Code, ""); err != nil {
		p.Message = "Code not found or expired."
		s.renderPage(w, http.StatusNotFound, p)
		return
	}
	p.Done, p.Message = true, "Linked. You can close this tab."
	s.renderPage(w, http.StatusOK, p)
}

// authPage is app.plex.tv/auth#?clientID=…&code=…: its script reads the
// fragment; POST links the code (any length). A clientID that does not
// match the PIN's client is refused.
func (s *Sim) authPage(w http.ResponseWriter, r *http.Request) {
	p := page{Title: "Sign in with Plex", Kind: "auth"}
	if r.Method == http.MethodGet {
		s.renderPage(w, http.StatusOK, p)
		return
	}
	code, clientID := strings.TrimSpace(r.PostFormValue("code")), r.PostFormValue("clientID")
	if problem := s.linkFromApp(code, clientID); problem != "" {
		p.Message = problem
		s.renderPage(w, http.StatusNotFound, p)
		return
	}
	p.Done, p.Message = true, "Signed in. You can close this tab."
	s.renderPage(w, http.StatusOK, p)
}

// linkFromApp links code to the demo account, or says what is wrong.
func (s *Sim) linkFromApp(code, clientID string) (problem string) {
	if clientID != "" {
		var owner string
		for _, pin := range s.PINs() {
			if pin.Code == code && !pin.Expired {
				owner = pin.ClientIdentifier
			}
		}
		if owner != "" && owner != clientID {
			return "This sign-in link belongs to another app (clientID does not match the code)."
		}
	}
	if _, err := s.LinkPIN(code, ""); err != nil {
		return "Code not found or expired."
	}
	return ""
}
