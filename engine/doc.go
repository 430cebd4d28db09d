// Package engine turns an over-broad AWS IAM policy into a least-privilege one,
// the way IAM Access Analyzer's recommendation does, and checks its own answer
// independently.
//
// # Pipeline
//
// One file a stage:
//
//	parse     json.go (order-keeping JSON), policy.go, findings.go and
//	          lastaccessed.go (the unused permissions), catalog.go and
//	          builtin.go (every AWS action), principal.go (a principal's policies)
//	universe  universe.go: the catalog's actions the policy can reach, and the
//	          unused ones, sorted so that a prefix is a range
//	trie      trie.go: CamelCase tokens, a lazy trie, the shortest safe prefixes
//	refine    refine.go: each Allow statement rewritten (rules C1–C5)
//	verify    verify.go: the answer written out, parsed again and checked by
//	          code that shares nothing with the generalization; witness.go
//	answer    entry.go, recommend.go, check.go: the JSON of each API route
//
// # The contract
//
// For every Allow statement, over the universe (the catalog and the unused
// actions):
//
//   - C1 exact: the refined statement allows exactly what the original allowed
//     minus the unused actions;
//   - C2 never broader: every new pattern is included, as a glob language, in
//     the original patterns (for every action name, not only today's);
//   - C3 structure kept: statements, keys, key order, forms and Deny statements
//     stay; a pattern with nothing unused stays as written; a wholly unused one
//     goes, and a statement left with nothing;
//   - C4 least general generalization: a partly unused pattern is replaced by
//     the shortest safe prefixes of a trie of CamelCase tokens;
//   - C5 no redundancy: nothing added is covered by another entry.
//
// NotAction statements get the unused actions they allowed added to NotAction.
// Every answer carries the verification of these rules.
//
// # Entry points
//
// The API's routes, each a function from the request body to the answer's
// bytes or a placed [*Error]: [HandleRefine] (POST /api/v1/refine),
// [HandleRecommendation] (POST /api/v1/recommendation, in the shape of
// aws accessanalyzer get-finding-recommendation), [HandleCheck]
// (POST /api/v1/check) and [HandleCatalog]. A wrapper that holds the inputs as
// texts (a page's editors) uses [RequestFromTexts], [RecommendationFromTexts]
// or [CheckFromTexts], and answers within a [Session], which reuses the last
// refinement's work: an edit costs what it changes, for the same bytes.
// Documents have one pretty form, [Value.Pretty]'s: [Response.PrettyPolicy]
// writes the refined one, [Pretty] lays out any JSON text the engine reads.
// The catalog generator (scripts/catalog) makes the built-in catalog with
// [NewCatalog] and [Catalog.AppendText], and reads it with [DecodeCatalog].
//
// Across requests a process keeps, bounded, what depends on the catalog
// alone: the last catalogs requests brought, by their text (catalogcache.go),
// and the universes built, by catalog and services (universe.go). A request
// that repeats a catalog, or reaches the services of an earlier one, skips
// that work; the answers are the same bytes.
//
// The engine is pure Go and uses the standard library only; the same code runs
// natively and in WebAssembly, with the same answers.
package engine
