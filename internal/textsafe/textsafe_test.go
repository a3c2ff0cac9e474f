package textsafe

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"Living Room", 60, "Living Room"},
		{"  two\n\nlines\t", 60, "two lines"},
		{"evil\x1b[2J\x1b]0;title\x07name", 60, "evil[2J]0;titlename"},
		{"abc\u202Egnp.exe", 60, "abcgnp.exe"},
		{"zero\u200Bwidth\uFEFF", 60, "zerowidth"},
		{"c1\u0085\u009bx", 60, "c1 x"},
		{"abcdefghij", 5, "abcd…"},
		{"abcde", 5, "abcde"},
		{"abcde   ", 5, "abcde"},
		{"ab cd ef", 5, "ab c…"},
		{"bad\xffutf8", 60, "bad\uFFFDutf8"},
		{strings.Repeat("x", 10000), 60, strings.Repeat("x", 59) + "…"},
		{"anything", 0, "anything"},
	} {
		if got := Line(tc.in, tc.max); got != tc.want {
			t.Errorf("Line(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestURI(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pass@host:32400/x": "https://host:32400/x",
		"http://u@10.0.0.1:32400":        "http://10.0.0.1:32400",
		"https://a-b.plex.direct:32400":  "https://a-b.plex.direct:32400",
		"http://bad\x7f:pw@h%zz/":        "http://h%zz/",
		"not a uri":                      "not a uri",
	} {
		if got := URI(in); got != want {
			t.Errorf("URI(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "Living Room", "a\nb", "\x1b[31mred", "\u202Eabc", strings.Repeat("é", 100), "\xff\xfe"} {
		f.Add(s, 10)
	}
	f.Add("a\tb\u2028c", -5)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 1 {
			// No limit: only cleaned (and it must not panic, whatever max).
			got := Line(s, max)
			if got != Line(s, 0) || strings.ContainsAny(got, "\n\r\x1b\u202e") {
				t.Fatalf("Line(%q, %d) = %q", s, max, got)
			}
			return
		}
		max = max%300 + 1
		got := Line(s, max)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if n := utf8.RuneCountInString(got); n > max {
			t.Fatalf("%d runes > max %d: %q", n, max, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
				t.Fatalf("unsafe rune %U in %q", r, got)
			}
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("unfolded space in %q", got)
		}
		if Line(got, max) != got {
			t.Fatalf("not idempotent: %q → %q", got, Line(got, max))
		}
	})
}

func FuzzURI(f *testing.F) {
	for _, s := range []string{"https://user:pass@host/", "http://h", "://@", "a://b@c@d/e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := URI(s)
		if p, err := url.Parse(got); err == nil && p.User != nil {
			t.Fatalf("userinfo kept: %q → %q", s, got)
		}
		if utf8.RuneCountInString(got) > Long {
			t.Fatalf("too long: %d", utf8.RuneCountInString(got))
		}
	})
}
