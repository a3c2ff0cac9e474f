package tooltokens

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/plextray/plextray/internal/fsutil"
)

// File is the file in the config folder that lists the tools, per
// account: {"accounts":{"<account uuid>":[{name, clientIdentifier,
// createdAt, profileUuid, profileTitle}, …]}}. It never holds a token.
const File = "tools.json"

type fileData struct {
	Accounts map[string][]Tool `json:"accounts"`
}

// Store is the tools list of one config folder. Its methods are safe for
// concurrent use within a process.
type Store struct {
	Dir string
}

var storeMu sync.Mutex

// List returns account's tools, oldest first. No file is an empty list.
func (s Store) List(account string) ([]Tool, error) {
	storeMu.Lock()
	defer storeMu.Unlock()
	d, err := s.load()
	if err != nil {
		return nil, err
	}
	return slices.Clone(d.Accounts[account]), nil
}

// Find returns account's tool called name (in any case).
func (s Store) Find(account, name string) (Tool, error) {
	tools, err := s.List(account)
	if err != nil {
		return Tool{}, err
	}
	for _, t := range tools {
		if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
			return t, nil
		}
	}
	return Tool{}, ErrUnknownTool
}

// Check reports ErrNameTaken if account already has a tool called name.
func (s Store) Check(account, name string) error {
	_, err := s.Find(account, name)
	switch {
	case err == nil:
		return ErrNameTaken
	case errors.Is(err, ErrUnknownTool):
		return nil
	}
	return err
}

// Add records t for account (ErrNameTaken if its name is used).
func (s Store) Add(account string, t Tool) error {
	return s.update(func(d *fileData) error {
		for _, o := range d.Accounts[account] {
			if strings.EqualFold(o.Name, t.Name) {
				return ErrNameTaken
			}
		}
		d.Accounts[account] = append(d.Accounts[account], t)
		return nil
	})
}

// Remove forgets account's tool with client identifier id.
func (s Store) Remove(account, id string) error {
	return s.update(func(d *fileData) error {
		d.Accounts[account] = slices.DeleteFunc(d.Accounts[account], func(t Tool) bool { return t.ClientIdentifier == id })
		if len(d.Accounts[account]) == 0 {
			delete(d.Accounts, account)
		}
		return nil
	})
}

func (s Store) update(change func(*fileData) error) error {
	storeMu.Lock()
	defer storeMu.Unlock()
	d, err := s.load()
	if err != nil {
		return err
	}
	if err := change(&d); err != nil {
		return err
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("saving the tools list: %w", err)
	}
	if err := fsutil.WriteFile(filepath.Join(s.Dir, File), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving the tools list: %w", err)
	}
	return nil
}

func (s Store) load() (fileData, error) {
	d := fileData{Accounts: map[string][]Tool{}}
	if s.Dir == "" {
		return d, errors.New("no config folder for the tools list")
	}
	b, err := os.ReadFile(filepath.Join(s.Dir, File))
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("reading the tools list: %w", err)
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("reading the tools list %s: %w", filepath.Join(s.Dir, File), err)
	}
	if d.Accounts == nil {
		d.Accounts = map[string][]Tool{}
	}
	return d, nil
}
