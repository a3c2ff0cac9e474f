//go:build !unix

package localpage

import "io/fs"

// ownedPrivate: on Windows the folder is below the user's own profile
// (LocalAppData), whose access list already keeps other users out.
func ownedPrivate(string, fs.FileInfo) error { return nil }
