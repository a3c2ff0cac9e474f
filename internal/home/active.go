package home

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// ActiveFile is the file in the config folder that names the active
// profile.
const ActiveFile = "active-profile.json"

// Active names the active profile: nothing secret, only what is needed to
// find its token (ProfileAccount(UUID)) and to say whose token it is.
type Active struct {
	UUID  string `json:"uuid"`
	Title string `json:"title"`
}

var uuidRE = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

// LoadActive reads the active profile from dir. ok is false when none is
// stored (the account's own token is active). A file that does not hold a
// valid profile is an error; ClearActive removes it.
func LoadActive(dir string) (a Active, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, ActiveFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Active{}, false, nil
	}
	if err != nil {
		return Active{}, false, fmt.Errorf("reading the active profile: %w", err)
	}
	if len(b) > 4<<10 {
		return Active{}, false, errors.New("reading the active profile: file too large")
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return Active{}, false, fmt.Errorf("reading the active profile: %w", err)
	}
	if !uuidRE.MatchString(a.UUID) {
		return Active{}, false, errors.New("reading the active profile: no valid uuid")
	}
	return a, true, nil
}

// SaveActive makes a the active profile in dir (created if missing). The
// file is replaced whole (write, then rename), so a reader never sees
// half of it.
func SaveActive(dir string, a Active) error {
	if !uuidRE.MatchString(a.UUID) {
		return fmt.Errorf("saving the active profile: %q is not a profile uuid", a.UUID)
	}
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("saving the active profile: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("saving the active profile: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+ActiveFile+"-*")
	if err != nil {
		return fmt.Errorf("saving the active profile: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving the active profile: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, ActiveFile)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving the active profile: %w", err)
	}
	return nil
}

// ClearActive makes the account's own token active again. No file is not
// an error.
func ClearActive(dir string) error {
	err := os.Remove(filepath.Join(dir, ActiveFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("clearing the active profile: %w", err)
	}
	return nil
}
