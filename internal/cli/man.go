package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// ManPage is plextray(1) as one cobra command, built from the command
// tree: the tray app, every command with its flags and examples, the
// files it keeps, its environment and its exit status (Long is markdown,
// as cobra/doc takes it). Package manpage renders it; cobra/doc and its
// markdown and YAML libraries stay out of the program, which never writes
// its own page (packaging/pkgtool does, at build time).
func ManPage(version string) *cobra.Command {
	code := 0
	cio := IO{Prog: "plextray", Version: version}
	root := newRoot(&cio, &code)
	page := &cobra.Command{
		Use:               "plextray [COMMAND] [flags]",
		Short:             root.Short,
		Long:              manLong(root),
		Example:           root.Example,
		DisableAutoGenTag: true,
		Run:               func(*cobra.Command, []string) {},
	}
	page.Flags().AddFlagSet(root.PersistentFlags())
	page.Flags().AddFlagSet(root.LocalNonPersistentFlags())
	return page
}

// manLong is the page's DESCRIPTION and the sections after it (markdown,
// as cobra/doc takes it): the tray, then each command from the tree.
func manLong(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString(manTray + "\n\n# COMMANDS\n")
	for _, c := range root.Commands() {
		if !c.IsAvailableCommand() || c.Name() == "help" {
			continue
		}
		c.InitDefaultHelpFlag()
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", c.UseLine(), manText(c.Long))
		if fs := c.LocalFlags(); fs.HasAvailableFlags() {
			fmt.Fprintf(&b, "\n```\n%s```\n", fs.FlagUsagesWrapped(helpWidth-8))
		}
		if c.Example != "" {
			fmt.Fprintf(&b, "\nExamples:\n\n```\n%s\n```\n", c.Example)
		}
	}
	b.WriteString("\n" + manSections)
	return b.String()
}

// manText joins a help paragraph's lines for the man page (which fills
// them itself) and escapes what markdown would take as markup.
func manText(s string) string {
	var paras []string
	for p := range strings.SplitSeq(s, "\n\n") {
		p = strings.ReplaceAll(p, "\n", " ")
		p = strings.NewReplacer("*", `\*`, "_", `\_`, "`", "\\`").Replace(p)
		paras = append(paras, p)
	}
	return strings.Join(paras, "\n\n")
}
