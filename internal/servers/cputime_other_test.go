//go:build !unix

package servers

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
