// YAML <-> JSON for Kubernetes manifests, typed exactly as kubectl reads them.
//
// Users hand Serin YAML (kubectl apply -f, Git repositories, Helm/kustomize output) and Serin
// works on JSON (kube::Object). A value must come out with the type kubectl would give it, or a
// manifest that works with kubectl breaks with Serin: kubectl goes through sigs.k8s.io/yaml over
// go-yaml v2, i.e. YAML 1.1 resolution of plain (unquoted) scalars:
//
//   * quoted scalars, block scalars (| >) and !!str are strings: "1", '1', !!str 1;
//   * booleans: y Y yes Yes YES true True TRUE on On ON / n N no No NO false False FALSE off
//     Off OFF;
//   * null: empty, ~, null, Null, NULL;
//   * integers: decimal with optional sign, 0x hex, 0o and leading-0 octal, 0b binary, "_"
//     separators ignored ("1_000"); beyond int64 they become floats;
//   * floats: "1.0", "-.5", "1.5e+3", ".inf" "-.inf" ".nan" (and capitalised variants). As in
//     go-yaml v2, an exponent needs its sign: "1e3" is the string "1e3"; "08" (not octal) is 8.0;
//   * timestamps stay strings; explicit !!int !!float !!bool !!null !!binary tags are honoured
//     (a value that does not fit its tag is an error); other tags are ignored;
//   * anchors, aliases and "<<" merge keys ("<<: *base" or "<<: [*a, *b]", earlier entries of
//     a merge list win; keys are applied in document order, so keys written after "<<" win);
//   * map keys become strings the way sigs.k8s.io/yaml prints them (1 -> "1", true -> "true",
//     1.5 -> "1.5"); a null or collection key is an error; a repeated key keeps the last value.
//
// Errors are Invalid and say where: "document 2, line 7: <what>". Document numbers are 1-based
// and count every document in the stream, empty ones included; lines are 1-based in the whole
// input. Empty and null documents are skipped, as kubectl does.
//
// jsonToYaml writes block-style YAML in kubectl's layout (keys sorted, sequences not indented
// under their key) that reads back to the same JSON: strings that would resolve to another type
// ("1", "true", "yes", "null", "1.0", "1e3", "0x1F", "") or that YAML would misparse (": ",
// " #", leading indicators, leading/trailing spaces) are double-quoted; multi-line strings use
// literal blocks when that is exact, else escaped double quotes. Floats always print as floats
// ("1.0", not "1"). Limits: invalid UTF-8 in strings is escaped as \xNN (YAML reads that back as
// U+00NN), and keys longer than 1024 characters are not supported by YAML's implicit keys.
//
// All functions are thread-safe and never throw.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "serin/kube/object.h"
#include "serin/util/status.h"

namespace serin::kube {

// Every non-empty document of a YAML stream ("---" separated), in order.
StatusOr<std::vector<Json>> yamlToJsonDocuments(std::string_view yaml);

// Exactly one document; JSON null for an empty input. Invalid when the stream has several
// non-empty documents.
StatusOr<Json> yamlToJson(std::string_view yaml);

std::string jsonToYaml(const Json& value);
// Documents separated by "---" lines; "" for no documents.
std::string jsonToYamlDocuments(const std::vector<Json>& documents);

// Kubernetes objects from a manifest file: a JSON stream (when the first non-blank character is
// "{", as kubectl decides) or a YAML stream. Empty documents are skipped; "kind: List" and any
// "*List" kind with "items" are unwrapped into their items. Invalid, naming the document (and
// item), for a document that is not an object or lacks a string apiVersion or kind.
StatusOr<std::vector<Object>> decodeManifests(std::string_view yaml_or_json);

}  // namespace serin::kube
