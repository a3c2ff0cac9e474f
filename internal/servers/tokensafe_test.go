package servers

import "testing"

func TestTokenSafe(t *testing.T) {
	tests := []struct {
		uri  string
		want bool
	}{
		{"https://192-168-1-2.abc.plex.direct:32400", true},
		{"https://203.0.113.7:32400", true},
		{"HTTPS://example.com", true},
		{"http://127.0.0.1:32400", true},
		{"http://[::1]:32400", true},
		{"http://localhost:32400", true},
		{"http://192.168.1.2:32400", true},
		{"http://10.0.0.2:32400", true},
		{"http://172.16.5.4:32400", true},
		{"http://[fd00::2]:32400", true},
		{"http://169.254.1.1:32400", true},
		{"http://[::ffff:192.168.1.2]:32400", true},
		{"http://203.0.113.7:32400", false},
		{"http://87.64.72.96:23945", false},
		{"http://172.32.0.1:32400", false},
		{"http://100.64.0.1:32400", false},
		{"http://192-168-1-2.abc.plex.direct:32400", false},
		{"http://nas.local:32400", false},
		{"http://user:pw@127.0.0.1:32400", false},
		{"ftp://127.0.0.1/", false},
		{"127.0.0.1:32400", false},
		{"", false},
		{"http://%zz", false},
	}
	for _, tt := range tests {
		if got := TokenSafe(tt.uri); got != tt.want {
			t.Errorf("TokenSafe(%q) = %v, want %v", tt.uri, got, tt.want)
		}
	}
}
