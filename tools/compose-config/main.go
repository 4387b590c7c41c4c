// Loads a compose file the way `docker compose config` does, with compose-go, the library
// docker compose itself is built on: the compose specification's schema, interpolation from
// the environment and an .env file beside the file, `x-` anchors and merges, normalisation,
// resolved paths and the consistency checks (a depends_on naming no service, and so on). It
// prints the resolved project as JSON, or the error compose would print, and exits non-zero.
//
//	compose-config [-f docker-compose.yml] [-format json|yaml]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	file := flag.String("f", "docker-compose.yml", "the compose file")
	format := flag.String("format", "json", "json or yaml")
	flag.Parse()

	if err := run(*file, *format); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(file, format string) error {
	path, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	options, err := cli.NewProjectOptions([]string{path},
		cli.WithWorkingDirectory(filepath.Dir(path)),
		cli.WithOsEnv,
		cli.WithDotEnv,
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		return err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return err
	}
	var out []byte
	switch format {
	case "json":
		out, err = project.MarshalJSON()
	case "yaml":
		out, err = project.MarshalYAML()
	default:
		return fmt.Errorf("unknown format %q: json or yaml", format)
	}
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(out, '\n'))
	return err
}
