package cli

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
)

// childExit carries a child process's exit code through Main without a
// message of our own.
type childExit struct{ code int }

func (e *childExit) Error() string { return fmt.Sprintf("command exited with status %d", e.code) }

var invalidEnvChars = regexp.MustCompile(`[^A-Za-z0-9_]`)

// envName turns a secret's key into a valid environment variable name.
func envName(key string) string {
	n := invalidEnvChars.ReplaceAllString(strings.TrimSpace(key), "_")
	if n == "" || (n[0] >= '0' && n[0] <= '9') {
		n = "_" + n
	}
	return n
}

const refPrefix = "coffer://"

// resolveRef resolves coffer://VAULT/ITEM/FIELD (segments may be
// %-escaped; VAULT may be ORG/NAME).
func resolveRef(s *client.Session, ref string) (string, error) {
	parts := strings.Split(strings.TrimPrefix(ref, refPrefix), "/")
	if len(parts) < 3 {
		return "", usageError("a reference is coffer://VAULT/ITEM/FIELD")
	}
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return "", usageError("a reference has a bad %%-escape")
		}
		parts[i] = u
	}
	vaultRef := strings.Join(parts[:len(parts)-2], "/")
	itemRef, field := parts[len(parts)-2], parts[len(parts)-1]
	v, err := s.FindVault(vaultRef)
	if err != nil {
		return "", err
	}
	it, err := s.FindItemIn(itemRef, v.ID, false)
	if err != nil {
		return "", err
	}
	val, ok := it.Content.FieldValue(field)
	if !ok {
		return "", withCode(ExitNotFound, fmt.Errorf("item %q has no field %q", inert(it.Content.Name), inert(field)))
	}
	return val, nil
}

func (a *app) runCommand() *cobra.Command {
	var vault string
	var items []string
	var override bool
	cmd := &cobra.Command{
		Use:   "run [--vault V] [--item ITEM]... -- COMMAND [ARGS...]",
		Short: "Run a command with secrets in its environment (never written to disk or printed)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() != 0 {
				return usageError("put the command after --: coffer run --item ITEM -- COMMAND ARGS")
			}
			s, err := a.synced(cmd)
			if err != nil {
				return err
			}
			env, err := a.runEnv(s, vault, items, override)
			if errors.Is(err, client.ErrCacheDamaged) {
				if err = a.rebuildCache(cmd, s, err); err == nil {
					env, err = a.runEnv(s, vault, items, override)
				}
			}
			if err != nil {
				return err
			}
			return runChild(args, env, a)
		},
	}
	cmd.Flags().StringVar(&vault, "vault", "", "vault to take items from (all its secret items if no --item)")
	cmd.Flags().StringArrayVar(&items, "item", nil, "secret item whose key/value pairs become variables (repeatable)")
	cmd.Flags().BoolVar(&override, "override", false, "let secrets replace variables that are already set")
	return cmd
}

// runEnv builds the child's environment: the current one, with coffer://
// references resolved, plus the secrets of the chosen items.
func (a *app) runEnv(s *client.Session, vault string, itemRefs []string, override bool) ([]string, error) {
	env := map[string]string{}
	var order []string
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if k == "COFFER_SESSION" {
			continue // the child needs no access to the vault
		}
		if strings.HasPrefix(v, refPrefix) {
			val, err := resolveRef(s, v)
			if err != nil {
				return nil, fmt.Errorf("resolving $%s: %w", k, err)
			}
			v = val
		}
		env[k] = v
		order = append(order, k)
	}
	var chosen []*client.Item
	var vaultID string
	if vault != "" {
		v, err := s.FindVault(vault)
		if err != nil {
			return nil, err
		}
		vaultID = v.ID
	}
	for _, ref := range itemRefs {
		var it *client.Item
		var err error
		if vaultID != "" {
			it, err = s.FindItemIn(ref, vaultID, false)
		} else {
			it, err = s.FindItem(ref, false)
		}
		if err != nil {
			return nil, err
		}
		chosen = append(chosen, it)
	}
	if len(itemRefs) == 0 && vaultID != "" {
		for _, sum := range s.List(false) {
			if sum.VaultID == vaultID && sum.Type == "secret" {
				it, err := s.FindItem(sum.ID, false)
				if err != nil {
					return nil, err
				}
				chosen = append(chosen, it)
			}
		}
	}
	fromItem := map[string]string{}
	for _, it := range chosen {
		if it.Type != "secret" {
			return nil, usageError("item %q is a %s item; coffer run takes secret items (key/value pairs)", inert(it.Content.Name), it.Type)
		}
		for _, key := range it.Content.SecretKeys() {
			name := envName(key)
			if prev, ok := fromItem[name]; ok && !override {
				return nil, usageError("$%s comes from both %q and %q; use --override to let the later one win", name, inert(prev), inert(it.Content.Name))
			}
			if _, set := env[name]; set && !override {
				if _, ours := fromItem[name]; !ours {
					return nil, usageError("$%s is already set in the environment; use --override to replace it", name)
				}
			}
			if _, set := env[name]; !set {
				order = append(order, name)
			}
			env[name] = it.Content.Secret[key]
			fromItem[name] = it.Content.Name
		}
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, k+"="+env[k])
	}
	return out, nil
}

// runChild starts the command, forwards signals to it and returns its exit
// status as ours.
func runChild(args, env []string, a *app) error {
	path, err := exec.LookPath(args[0])
	if err != nil {
		return withCode(127, fmt.Errorf("command %q not found", args[0]))
	}
	c := exec.Command(path, args[1:]...)
	c.Env = env
	c.Stdin, c.Stdout, c.Stderr = a.stdin, a.stdout, a.stderr
	if err := c.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", args[0], err)
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				c.Process.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	err = c.Wait()
	close(done)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &childExit{128 + int(ws.Signal())}
		}
		return &childExit{ee.ExitCode()}
	}
	return err
}
