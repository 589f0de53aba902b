package bridge_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
	"github.com/coffer-pm/coffer/client/exchange/formats"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/bridge"
)

const typesPath = "../../web/src/core/types.gen.ts"

// TestTSTypesAreCurrent: web/src/core/types.gen.ts, the TypeScript types
// of what the bridge answers, is what the Go types say (by reflection over
// their json tags), with the error kinds, status states and rules.
// COFFER_WRITE_DOCS=1 writes it anew after a change.
func TestTSTypesAreCurrent(t *testing.T) {
	got := tsTypes(t)
	if os.Getenv("COFFER_WRITE_DOCS") != "" {
		if err := os.MkdirAll("../../web/src/core", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(typesPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(typesPath)
	if err != nil || string(have) != got {
		t.Fatalf("web/src/core/types.gen.ts is not what the Go types say (%v); run COFFER_WRITE_DOCS=1 go test ./internal/bridge -run TestTSTypesAreCurrent", err)
	}
}

// tsNames rename Go types whose names two packages use.
var tsNames = map[reflect.Type]string{
	reflect.TypeFor[client.Change]():    "LiveChange",
	reflect.TypeFor[client.Field]():     "CustomField",
	reflect.TypeFor[exchange.Summary](): "ExchangeSummary",
}

// tsTexts are the client/view wording the page shows as it is, with no
// state of the session in it: generated into TEXTS rather than carried
// by every answer (the first load's budget, docs/performance.md).
var tsTexts = map[string]string{
	"export_limits":  view.ExportLimits,
	"export_group":   view.GroupExportNote,
	"export_account": view.AccountExportNote,
}

type tsGen struct {
	t     *testing.T
	names map[string]reflect.Type // TS name → Go type, to catch two types under one name
	decls map[string]string
}

func tsTypes(t *testing.T) string {
	g := &tsGen{t: t, names: map[string]reflect.Type{}, decls: map[string]string{}}
	core := bridge.New("", nil, client.Options{})
	var results strings.Builder
	for _, fn := range core.Funcs() {
		if fn.Glue {
			g.ref(reflect.TypeOf(fn.Result)) // attach's answer, watch's events
			continue
		}
		fmt.Fprintf(&results, "  %s: %s;\n", fn.Name, g.ref(reflect.TypeOf(fn.Result)))
	}
	g.ref(reflect.TypeFor[bridge.WatchError]())
	g.ref(reflect.TypeFor[client.Rules]())
	g.ref(reflect.TypeFor[view.Item]())        // the CLI's `item get --json`; get's without content
	g.ref(reflect.TypeFor[formats.Detected]()) // the tools module's detect (cmd/coffer-tools)
	var b strings.Builder
	b.WriteString("// Generated from the Go types by `COFFER_WRITE_DOCS=1 go test ./internal/bridge\n" +
		"// -run TestTSTypesAreCurrent` (internal/bridge/tsgen_test.go); do not edit.\n" +
		"// What each member means: the Go types' comments (client/view, internal/bridge,\n" +
		"// client). Every bridge function resolves to a JSON string of its\n" +
		"// BridgeResults type (docs/web.md).\n")
	var kinds []string
	for _, k := range client.ErrorKinds() {
		kinds = append(kinds, "'"+k.Kind+"'")
	}
	b.WriteString("\n// The kind of a bridge error (Error.kind): client.KindOf.\n")
	b.WriteString("export type ErrorKind = " + strings.Join(kinds, " | ") + ";\n")
	var states []string
	for _, s := range bridge.StatusStates {
		states = append(states, "'"+s+"'")
	}
	b.WriteString("\n// Status.state.\nexport type StatusState = " + strings.Join(states, " | ") + ";\n")
	rules, _ := json.MarshalIndent(client.CurrentRules(), "", "  ")
	b.WriteString("\n// The client core's rules (also rules() at run time).\nexport const RULES: Rules = " + string(rules) + ";\n")
	texts, _ := json.MarshalIndent(tsTexts, "", "  ")
	b.WriteString("\n// Static words of the Go side (tsTexts), here so that they cost the\n// first load nothing: no call, no copy in core.wasm.\nexport const TEXTS = " + string(texts) + " as const;\n")
	var types []string
	for _, t := range view.ItemTypes() {
		j, _ := json.Marshal(t)
		types = append(types, string(j))
	}
	b.WriteString("\n// The item types as this build's client core lists them, one a line\n// (itemTypes() at run time, which the app uses; the tests' fake core\n// answers with these).\nexport const ITEM_TYPES: ItemType[] = [\n  " + strings.Join(types, ",\n  ") + ",\n];\n")
	names := make([]string, 0, len(g.decls))
	for n := range g.decls {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString("\n" + g.decls[n])
	}
	b.WriteString("\n// What each bridge function resolves to (as JSON). attach resolves to\n" +
		"// Created, download to a Uint8Array; watch's callback gets WatchEvent JSON.\n")
	b.WriteString("export interface BridgeResults {\n" + results.String() + "}\n")
	b.WriteString("\nexport type BridgeFunction = keyof BridgeResults;\n")
	b.WriteString("\nexport type WatchEvent = LiveChange | WatchError | { kind: 'checked' };\n")
	return b.String()
}

// ref is the TypeScript for a Go type, declaring named structs.
func (g *tsGen) ref(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[time.Time]():
		return "string"
	case t == reflect.TypeFor[json.RawMessage]():
		return "unknown" // JSON passed on as it is (WebAuthn options)
	case t.Kind() == reflect.Pointer:
		return g.ref(t.Elem())
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "string" // base64
	case t.Kind() == reflect.Slice:
		return g.ref(t.Elem()) + "[]"
	case t.Kind() == reflect.Map:
		return "Record<string, " + g.ref(t.Elem()) + ">"
	case t.Kind() == reflect.String:
		return "string"
	case t.Kind() == reflect.Bool:
		return "boolean"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64:
		return "number"
	case t.Kind() == reflect.Interface:
		return "unknown"
	case t.Kind() != reflect.Struct:
		g.t.Fatalf("no TypeScript for %v", t)
	}
	name := tsNames[t]
	if name == "" {
		name = t.Name()
	}
	if other, ok := g.names[name]; ok {
		if other != t {
			g.t.Fatalf("%v and %v are both %s in TypeScript: name one in tsNames", other, t, name)
		}
		return name
	}
	g.names[name] = t
	// Embedded structs (a view and more) are what the interface extends:
	// one declaration of their members, not a copy.
	var bases []string
	for i := range t.NumField() {
		if f := t.Field(i); f.Anonymous && f.Tag.Get("json") == "" && f.Type.Kind() == reflect.Struct {
			bases = append(bases, g.ref(f.Type))
		}
	}
	extends := ""
	if len(bases) > 0 {
		extends = " extends " + strings.Join(bases, ", ")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "// %s is %s.\nexport interface %s%s {\n", name, t.String(), name, extends)
	g.fields(&b, t)
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Marshaler]()) || t.Implements(reflect.TypeFor[json.Marshaler]()) {
		b.WriteString("  [more: string]: unknown; // members of newer clients, kept as they are\n")
	}
	b.WriteString("}\n")
	g.decls[name] = b.String()
	return name
}

// fields writes t's own JSON members; an embedded struct's come from
// the interface t extends (ref).
func (g *tsGen) fields(b *strings.Builder, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			if f.Type.Kind() != reflect.Struct {
				g.fields(b, f.Type)
			}
			continue // declared by the interface it extends (ref)
		}
		if name == "" {
			name = f.Name
		}
		optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		typ := g.ref(f.Type)
		// A nil pointer (or byte slice: an attachment's key, left out
		// for the page) is null.
		if !optional && (f.Type.Kind() == reflect.Pointer || f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Uint8) {
			typ += " | null"
		}
		q := ""
		if optional {
			q = "?"
		}
		fmt.Fprintf(b, "  %s%s: %s;\n", name, q, typ)
	}
}
