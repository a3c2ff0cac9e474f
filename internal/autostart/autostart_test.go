package autostart

import (
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Paths a person might really have, and some nasty ones.
var exePaths = []string{
	"/usr/bin/plextray",
	"/home/ann/Apps/Plex Tray/plextray",
	"/opt/100%/plextray",
	`/tmp/a"b/c'd/plextray`,
	`/tmp/back\slash/plextray`,
	"/tmp/$HOME/`id`/plextray",
	"/tmp/~x/(a)|b&c;d*e?f#g<h>/plextray",
	"/tmp/ünï cødé/plextray",
}

func TestExecQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/usr/bin/plextray", "/usr/bin/plextray"},
		{"/opt/100%/p", "/opt/100%%/p"},
		{"/a b/p", `"/a b/p"`},
		{`/a"b`, `"/a\"b"`},
		{"/a`b", "\"/a\\`b\""},
		{"/a$b", `"/a\$b"`},
		{`/a\b`, `"/a\\b"`},
		{"/a'b", `"/a'b"`},
		{"/a b%", `"/a b%%"`},
	} {
		if got := execQuote(tc.in); got != tc.want {
			t.Errorf("execQuote(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A literal backslash in a quoted argument is four in the file.
	if got := escapeString(execQuote(`/a\b`)); got != `"/a\\\\b"` {
		t.Errorf("Exec value for /a\\b = %s", got)
	}
}

// unquoteExec undoes the Desktop Entry Specification's string escapes, then
// its Exec quoting and %% — the way a launcher reads Exec — and returns argv.
func unquoteExec(t *testing.T, value string) []string {
	t.Helper()
	// String escapes: \s \n \t \r \\.
	var s strings.Builder
	for i := 0; i < len(value); i++ {
		if value[i] == '\\' && i+1 < len(value) {
			i++
			switch value[i] {
			case 's':
				s.WriteByte(' ')
			case 'n':
				s.WriteByte('\n')
			case 't':
				s.WriteByte('\t')
			case 'r':
				s.WriteByte('\r')
			case '\\':
				s.WriteByte('\\')
			default:
				s.WriteByte('\\')
				s.WriteByte(value[i])
			}
			continue
		}
		s.WriteByte(value[i])
	}
	// Quoting and field codes.
	var args []string
	var cur strings.Builder
	in, quoted, started := s.String(), false, false
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case quoted && c == '\\' && i+1 < len(in) && strings.IndexByte("\"`$\\", in[i+1]) >= 0:
			i++
			cur.WriteByte(in[i])
		case c == '"':
			quoted, started = !quoted, true
		case c == '%' && i+1 < len(in) && in[i+1] == '%':
			i++
			cur.WriteByte('%')
		case c == '%':
			t.Fatalf("unescaped field code in %q", value)
		case c == ' ' && !quoted:
			if started || cur.Len() > 0 {
				args = append(args, cur.String())
			}
			cur.Reset()
			started = false
		default:
			cur.WriteByte(c)
		}
	}
	if quoted {
		t.Fatalf("unterminated quote in %q", value)
	}
	if started || cur.Len() > 0 {
		args = append(args, cur.String())
	}
	return args
}

func execValue(t *testing.T, entry string) string {
	t.Helper()
	for line := range strings.Lines(entry) {
		if v, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "Exec="); ok {
			return v
		}
	}
	t.Fatalf("no Exec in\n%s", entry)
	return ""
}

func TestDesktopEntryExecRoundTrips(t *testing.T) {
	for _, exe := range exePaths {
		entry := desktopEntry(exe)
		if got := unquoteExec(t, execValue(t, entry)); !slices.Equal(got, []string{exe}) {
			t.Errorf("Exec for %q reads back as %q", exe, got)
		}
		for _, want := range []string{"[Desktop Entry]\n", "Type=Application\n", "Name=plextray\n", "X-GNOME-Autostart-enabled=true\n"} {
			if !strings.Contains(entry, want) {
				t.Errorf("entry lacks %q:\n%s", want, entry)
			}
		}
	}
}

// TestDesktopEntryValidates runs desktop-file-validate (desktop-file-utils)
// on the entry for every path. It is skipped when the tool is missing,
// except on CI (CI=true), where that is a failure.
func TestDesktopEntryValidates(t *testing.T) {
	tool, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("desktop-file-validate is missing on CI: install desktop-file-utils")
		}
		t.Skip("desktop-file-validate not installed")
	}
	dir := t.TempDir()
	for _, exe := range exePaths {
		file := filepath.Join(dir, Name+".desktop")
		if err := os.WriteFile(file, []byte(desktopEntry(exe)), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(tool, file).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("desktop-file-validate for %q: %v\n%s\n%s", exe, err, out, desktopEntry(exe))
		}
	}
}

func TestDesktopEntryEnabled(t *testing.T) {
	base := desktopEntry("/usr/bin/plextray")
	for _, tc := range []struct {
		name, content string
		want          bool
	}{
		{"ours", base, true},
		{"gnome off", strings.Replace(base, "X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false", 1), false},
		{"hidden", base + "Hidden=true\n", false},
		{"hidden false", base + "Hidden=false\n", true},
		{"other group", base + "[Desktop Action x]\nHidden=true\n", true},
		{"spaces", "[Desktop Entry]\nHidden = true\n", false},
	} {
		if got := desktopEntryEnabled(tc.content); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

type plist struct {
	Dict struct {
		Items []struct {
			XMLName xml.Name
			Value   string   `xml:",chardata"`
			Strings []string `xml:"string"`
		} `xml:",any"`
	} `xml:"dict"`
}

func TestLaunchAgent(t *testing.T) {
	for _, exe := range append(exePaths, "/Applications/Plex & Me <3>.app/Contents/MacOS/plextray") {
		text := launchAgent(exe)
		var p plist
		if err := xml.Unmarshal([]byte(text), &p); err != nil {
			t.Fatalf("%q: %v\n%s", exe, err, text)
		}
		got := map[string]any{}
		items := p.Dict.Items
		for i := 0; i+1 < len(items); i += 2 {
			if items[i].XMLName.Local != "key" {
				t.Fatalf("expected <key>, got <%s>", items[i].XMLName.Local)
			}
			v := items[i+1]
			switch v.XMLName.Local {
			case "string":
				got[items[i].Value] = v.Value
			case "array":
				got[items[i].Value] = v.Strings
			default:
				got[items[i].Value] = v.XMLName.Local
			}
		}
		if got["Label"] != ID || got["RunAtLoad"] != "true" || got["ProcessType"] != "Interactive" {
			t.Errorf("%q: %v", exe, got)
		}
		if args, _ := got["ProgramArguments"].([]string); !slices.Equal(args, []string{exe}) {
			t.Errorf("ProgramArguments = %q, want [%q]", args, exe)
		}
	}
}

func TestRunValue(t *testing.T) {
	v, err := runValue(`C:\Program Files\plextray\plextray.exe`)
	if err != nil || v != `"C:\Program Files\plextray\plextray.exe"` {
		t.Errorf("runValue = %q, %v", v, err)
	}
	if _, err := runValue(`C:\a"b.exe`); !errors.Is(err, ErrBadExecutable) {
		t.Errorf("runValue with a quote: %v", err)
	}
}

func TestStartupApprovedDisabled(t *testing.T) {
	for _, tc := range []struct {
		b    []byte
		want bool
	}{
		{nil, false},
		{[]byte{2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, false},
		{[]byte{6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, false},
		{[]byte{3, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0}, true},
	} {
		if got := startupApprovedDisabled(tc.b); got != tc.want {
			t.Errorf("% x: got %v", tc.b, got)
		}
	}
}

func TestCheckExe(t *testing.T) {
	isAbs := path.IsAbs
	for _, tc := range []struct {
		exe string
		ok  bool
	}{
		{"/usr/bin/plextray", true},
		{"plextray", false},
		{"./plextray", false},
		{"/usr/bin/plex\ntray", false},
		{"/usr/bin/plextray\x00", false},
	} {
		err := checkExe(tc.exe, isAbs)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrBadExecutable)) {
			t.Errorf("checkExe(%q) = %v", tc.exe, err)
		}
	}
}
