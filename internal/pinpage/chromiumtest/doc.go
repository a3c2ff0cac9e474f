// Package chromiumtest drives a real headless Chromium (Debian's
// "chromium") over the DevTools protocol on a pipe, for tests that must
// see a page as a person's browser does: the PIN page of package pinpage,
// in its own tests and in the end-to-end tests.
//
//	b := chromiumtest.Start(t, ctx) // skips with -short or without chromium (fails with CI=true)
//	tab := b.Open(ctx, url)        // waits for the page to load
//	tab.Type(ctx, "input[name=pin]", "1234")
//	tab.Click(ctx, "button[type=submit]") // waits for the next page to load
//	text := tab.Text(ctx)
//
// Chromium gets no network beyond loopback (resolver rules, a dead proxy,
// no background traffic). Linux only.
package chromiumtest
