// Server-side printing: objects as meta.k8s.io/v1 Tables, the way kube-apiserver returns them.
//
// kubectl asks for `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` on `kubectl get` and
// prints whatever columns the server defines, so the columns users know (READY "1/1", STATUS
// "CrashLoopBackOff", PORT(S) "80:30080/TCP", AGE "3m20s") are the server's job. A
// TableConvertor holds the column definitions for one kind and turns objects into rows:
//
//  - built-in printers for Pod, Deployment, ReplicaSet, Service and Namespace with kube's
//    columns; wide columns (priority 1) are always produced, kubectl hides them without -o wide;
//  - custom resources: "Name" then the CRD version's additionalPrinterColumns (an "Age" column
//    when there are none), cells from the simple JSONPath subset CRDs allow; date cells are
//    rendered as ages, as kube-apiserver does;
//  - any other kind: kube's default "Name" and "Created At" (RFC 3339) columns.
//
// Each row carries the object as PartialObjectMetadata (includeObject=Metadata, the default),
// the full object (Object) or nothing (None). Ages are relative to a `now` the caller reads from
// its util::Clock, so tests are deterministic.
//
// Contracts: nothing throws; malformed or missing fields print as kube prints zero values.
// A TableConvertor is immutable after construction and safe to share across threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "serin/util/clock.h"
#include "serin/util/status.h"

namespace serin::cluster {

using Json = nlohmann::json;

struct TableColumn {
  std::string name;
  std::string type;    // "string", "integer", "number", "boolean", "date"
  std::string format;  // "name" for the identifying column
  std::string description;
  int32_t priority = 0;  // > 0: only shown by `kubectl get -o wide`

  Json toJson() const;
  friend bool operator==(const TableColumn&, const TableColumn&) = default;
};

enum class IncludeObject { kNone, kMetadata, kObject };

// The includeObject query parameter: "None", "Metadata" (also ""), "Object"; else Invalid.
StatusOr<IncludeObject> parseIncludeObject(std::string_view text);

struct TableOptions {
  IncludeObject includeObject = IncludeObject::kMetadata;
  bool noHeaders = false;  // omit columnDefinitions (watch events after the first)
};

// kubectl's HumanDuration: "5s", "3m20s", "2d3h", "<invalid>" for clearly negative ages.
std::string humanDuration(std::chrono::nanoseconds d);

// OK when `path` is in the JSONPath subset printer columns may use: `.a.b`, `[0]`, `['key']`,
// `\.` escapes inside a name, optionally wrapped in `{}`. Invalid names the problem.
Status validatePrinterJsonPath(std::string_view path);

class TableConvertor {
 public:
  struct Row {
    Json cells = Json::array();
    Json conditions;  // null, or an array of {type, status, reason, message}
  };
  using CellsFunction = std::function<Row(const Json& object, util::Clock::TimePoint now)>;

  // The printer for a built-in kind ("" + "Pod", "apps" + "Deployment", ...), or the default
  // Name/Created At printer for any kind without one.
  static TableConvertor forKind(std::string_view group, std::string_view kind);
  // Name/Created At: what kube-apiserver uses for kinds without a printer.
  static TableConvertor defaultConvertor();
  // From a CRD version's `additionalPrinterColumns` array (null or empty: an Age column).
  // Invalid for a column without name/type/jsonPath or with an unsupported jsonPath.
  static StatusOr<TableConvertor> forPrinterColumns(const Json& printer_columns);
  // The printer of `version` in a CustomResourceDefinition; NotFound when it has no such version.
  static StatusOr<TableConvertor> forCrdVersion(const Json& crd, std::string_view version);

  const std::vector<TableColumn>& columns() const { return columns_; }

  // One row: {cells, conditions?, object?}.
  Json row(const Json& object, util::Clock::TimePoint now, IncludeObject include) const;
  // A Table of one object; metadata.resourceVersion is the object's.
  Json convertObject(const Json& object, util::Clock::TimePoint now,
                     const TableOptions& options = {}) const;
  // A Table of a List (`items`); metadata keeps resourceVersion, continue, remainingItemCount.
  Json convertList(const Json& list, util::Clock::TimePoint now,
                   const TableOptions& options = {}) const;

 private:
  TableConvertor(std::vector<TableColumn> columns, CellsFunction cells)
      : columns_(std::move(columns)), cells_(std::move(cells)) {}

  Json table(const TableOptions& options) const;

  std::vector<TableColumn> columns_;
  CellsFunction cells_;
};

}  // namespace serin::cluster
