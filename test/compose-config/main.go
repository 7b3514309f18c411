// compose-config loads a compose file the way Docker Compose itself does, with compose-go (the library
// inside `docker compose`): .env interpolation, validation against the compose-spec JSON schema, the
// consistency checks (depends_on targets, volumes, networks) and normalisation. It prints the resolved
// project as JSON, or the loader's error and exit code 1. No Docker engine is needed.
//
// test/unit/compose.test.ts builds and runs it: go run . [--profile <name>]... <path/to/docker-compose.yaml>
// Only the compose file's own .env is read (not the shell's environment), so the result is reproducible.
// Without --profile, a service with `profiles:` is left out, as `docker compose up` leaves it out.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	var profiles []string
	flag.Func("profile", "enable a compose profile (repeatable), like docker compose --profile", func(p string) error {
		profiles = append(profiles, p)
		return nil
	})
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: compose-config [--profile <name>]... <compose file>")
		os.Exit(2)
	}
	file, err := filepath.Abs(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	opts, err := cli.NewProjectOptions(
		[]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithEnvFiles(), // the .env next to the compose file
		cli.WithDotEnv,
		cli.WithProfiles(profiles),
	)
	if err != nil {
		fail(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(project, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
