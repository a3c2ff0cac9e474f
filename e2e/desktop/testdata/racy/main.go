// Command racy has a data race on purpose: the harness must report it
// when a -race build of it runs in a session.
package main

import (
	"fmt"
	"sync"
)

func main() {
	n := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { n++ })
	}
	wg.Wait()
	fmt.Println(n > 0)
}
