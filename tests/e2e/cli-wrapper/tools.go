//go:build tools

// Package tools pins the Pulumi CLI and its Node.js language host for the end-to-end tests:
// tests/e2e/pulumi-cli.sh builds both from this module when no `pulumi` is on PATH.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
)
