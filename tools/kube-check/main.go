// Renders Kubernetes manifests with kustomize (the library `kubectl kustomize` is built on),
// decodes every object strictly into the Kubernetes API's Go types (an unknown or duplicated
// field fails, as `kubectl apply --validate=strict` would refuse it) and checks the rules
// deploy/README.md states: probes, resources and a non-root, read-only security context on every
// container, secrets only through secretKeyRef, a Service and a PodDisruptionBudget for every
// Deployment. It prints the rendered objects as a JSON array, or every problem found and exits
// non-zero.
//
//	kube-check [-k deploy/base]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	dir := flag.String("k", "deploy/base", "a kustomization directory")
	flag.Parse()

	objects, err := render(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if problems := check(objects); len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "%s: %d problem(s):\n  %s\n", *dir, len(problems), strings.Join(problems, "\n  "))
		os.Exit(1)
	}
	out, err := json.Marshal(objects)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_, _ = os.Stdout.Write(append(out, '\n'))
}
