package plextv

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestDecodeHomeFixture(t *testing.T) {
	h, err := DecodeHome(readFixture(t, "home/users_200.json"))
	if err != nil {
		t.Fatal(err)
	}
	if h.ID != 1234567 || h.Name != "Testuser's home" || len(h.Users) != 3 {
		t.Fatalf("home = %+v", h)
	}
	admin, kid, teen := h.Users[0], h.Users[1], h.Users[2]
	if !admin.Admin || admin.Managed() || admin.Username != "testadmin" || admin.UUID != "1a2b3c4d5e6f7a8b" || !admin.Protected {
		t.Errorf("admin = %+v", admin)
	}
	if kid.Title != "Kid" || kid.Username != "" || kid.Email != "" || !kid.Managed() || kid.Protected ||
		!kid.Restricted || kid.RestrictionProfile != "little_kid" || kid.ID != 40000002 {
		t.Errorf("kid = %+v", kid)
	}
	if teen.Title != "Teen" || !teen.Protected || teen.UUID != "abcdefabcdef0123" {
		t.Errorf("teen = %+v", teen)
	}
	if a := h.Admin(); a == nil || a.Title != "testadmin" {
		t.Errorf("Admin() = %+v", a)
	}
	if !OfferProfiles(nil, h) {
		t.Error("a Home of three is not offered")
	}
}

func TestDecodeHomeTolerant(t *testing.T) {
	body := `{"id":"77","name":null,"extra":{"x":[1]},"users":[
		{"id":"40000009","uuid":"aa11","title":"Guest","username":null,"email":null,"admin":0,"protected":"1","updatedAt":"soon"},
		{"id":5,"title":"no uuid, dropped"},
		{"id":6,"uuid":"../../signout","title":"bad uuid, dropped"},
		"not an object",
		{"id":7,"uuid":"bb22","title":"Admin","admin":1,"protected":true,"restrictionProfile":null}]}`
	h, err := DecodeHome([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if h.ID != 77 || h.Name != "" || len(h.Users) != 2 {
		t.Fatalf("home = %+v", h)
	}
	if g := h.Users[0]; g.ID != 40000009 || g.Admin || !g.Protected || g.Title != "Guest" {
		t.Errorf("guest = %+v", g)
	}
	if a := h.Users[1]; !a.Admin || !a.Protected {
		t.Errorf("admin = %+v", a)
	}
	for _, bad := range []string{`[]`, `null`, `"x"`, `{"users":{}}`, `{"users":"x"}`, `{`} {
		if _, err := DecodeHome([]byte(bad)); err == nil {
			t.Errorf("DecodeHome(%s) = nil error", bad)
		}
	}
	if h, err := DecodeHome([]byte(`{}`)); err != nil || len(h.Users) != 0 || OfferProfiles(nil, h) {
		t.Errorf("empty object: %+v, %v", h, err)
	}
}

func TestDecodeSwitchFixture(t *testing.T) {
	tok, err := DecodeSwitch(readFixture(t, "home/switch_201_managed.json"))
	if err != nil || tok.Reveal() != "FxHomeTok_managed_0004" {
		t.Fatalf("token %q, %v", tok.Reveal(), err)
	}
	// Drift in every other field is harmless.
	tok, err = DecodeSwitch([]byte(`{"authToken":"T1","profile":"en,sv","id":"x","homeSize":"3","subscription":[]}`))
	if err != nil || tok.Reveal() != "T1" {
		t.Fatalf("drifted: %q, %v", tok.Reveal(), err)
	}
	for _, bad := range []string{`{}`, `{"authToken":null}`, `{"authToken":""}`, `{"authToken":"  "}`, `{"authToken":5}`, `[]`, `null`, `<html>`} {
		if tok, err := DecodeSwitch([]byte(bad)); err == nil {
			t.Errorf("DecodeSwitch(%s) = %q, nil error", bad, tok.Reveal())
		}
	}
}

func TestSwitchPINErrorFixture(t *testing.T) {
	resp := &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{}}
	err := statusError("switch profile", "/api/v2/home/users/x/switch", resp, readFixture(t, "home/switch_403_pin.json"))
	var se *StatusError
	if !errors.As(err, &se) || !se.hasCode(codePINRequired) {
		t.Fatalf("err = %v", err)
	}
	if IsTransient(err) {
		t.Error("a PIN error is not transient")
	}
}

func TestUserHomeFields(t *testing.T) {
	var u User
	if err := json.Unmarshal(readFixture(t, "home/switch_201_managed.json"), &u); err != nil {
		t.Fatal(err)
	}
	if u.HomeSize != 3 || !bool(u.Home) || bool(u.HomeAdmin) || !OfferProfiles(&u, nil) || u.DisplayName() != "Teen" {
		t.Fatalf("user = %+v", u)
	}
	// A drifted homeSize never fails the user (sign-in depends on it).
	for _, body := range []string{`{"username":"a","homeSize":"2","home":"true"}`, `{"username":"a","homeSize":null,"home":null}`, `{"username":"a","homeSize":{},"homeAdmin":[1]}`} {
		var u User
		if err := json.Unmarshal([]byte(body), &u); err != nil || u.Username != "a" {
			t.Errorf("%s: %+v, %v", body, u, err)
		}
	}
	var one User
	_ = json.Unmarshal([]byte(`{"homeSize":1}`), &one)
	if OfferProfiles(&one, nil) || OfferProfiles(&one, &Home{Users: []HomeUser{{UUID: "a"}}}) {
		t.Error("a Home of one is offered")
	}
}

func FuzzDecodeHome(f *testing.F) {
	f.Add(readFixture(f, "home/users_200.json"))
	f.Add([]byte(`{"users":[{"uuid":"a","id":"1","admin":"1"}]}`))
	f.Add([]byte(`{"users":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := DecodeHome(data)
		if err != nil {
			return
		}
		for _, u := range h.Users {
			if !ValidUUID(u.UUID) {
				t.Fatalf("kept a profile with uuid %q", u.UUID)
			}
		}
	})
}

func FuzzDecodeSwitch(f *testing.F) {
	f.Add(readFixture(f, "home/switch_201_managed.json"))
	f.Add(readFixture(f, "home/switch_403_pin.json"))
	f.Add([]byte(`{"authToken":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := DecodeSwitch(data)
		if err == nil && strings.TrimSpace(tok.Reveal()) == "" {
			t.Fatal("empty token without an error")
		}
		var u User
		_ = json.Unmarshal(data, &u) // must not panic
	})
}
