//go:build !windows

package servers

func isRefusedOS(error) bool { return false }
