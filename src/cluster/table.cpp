#include "serin/cluster/table.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include "serin/util/time.h"

namespace serin::cluster {
namespace {

using TimePoint = util::Clock::TimePoint;
using Row = TableConvertor::Row;

// Column descriptions, in the spirit of the API's field documentation (kubectl never prints
// them; `kubectl explain`-style tools may).
constexpr const char* kNameDescription =
    "Name must be unique within a namespace. Cannot be updated.";
constexpr const char* kCreationDescription =
    "CreationTimestamp is the server time when this object was created, in RFC 3339 form, UTC.";

// --- JSON access that never throws ------------------------------------------------------------

const Json* find(const Json& j, std::initializer_list<const char*> keys) {
  const Json* current = &j;
  for (const char* key : keys) {
    if (!current->is_object()) return nullptr;
    auto it = current->find(key);
    if (it == current->end()) return nullptr;
    current = &*it;
  }
  return current;
}

std::string str(const Json& j, std::initializer_list<const char*> keys) {
  const Json* v = find(j, keys);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

int64_t integer(const Json& j, std::initializer_list<const char*> keys, int64_t fallback = 0) {
  const Json* v = find(j, keys);
  return v != nullptr && v->is_number() ? v->get<int64_t>() : fallback;
}

bool boolean(const Json& j, std::initializer_list<const char*> keys) {
  const Json* v = find(j, keys);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

const Json& array(const Json& j, std::initializer_list<const char*> keys) {
  static const Json kEmpty = Json::array();
  const Json* v = find(j, keys);
  return v != nullptr && v->is_array() ? *v : kEmpty;
}

std::optional<TimePoint> timestamp(const Json& j, std::initializer_list<const char*> keys) {
  const std::string text = str(j, keys);
  if (text.empty()) return std::nullopt;
  auto parsed = util::parseRfc3339(text);
  if (!parsed.isOk()) return std::nullopt;
  return *parsed;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator = ",") {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// --- ages --------------------------------------------------------------------------------------

std::string since(std::optional<TimePoint> t, TimePoint now) {
  if (!t) return "<unknown>";
  return humanDuration(now - *t);
}

std::string age(const Json& object, TimePoint now) {
  return since(timestamp(object, {"metadata", "creationTimestamp"}), now);
}

TableColumn nameColumn() { return {"Name", "string", "name", kNameDescription, 0}; }
TableColumn ageColumn() { return {"Age", "string", "", kCreationDescription, 0}; }
TableColumn column(std::string name, std::string type, std::string description,
                   int32_t priority = 0) {
  return {std::move(name), std::move(type), "", std::move(description), priority};
}

// --- label selectors as labels.Selector.String() prints them -----------------------------------

std::string formatLabels(const Json& labels) {
  if (!labels.is_object() || labels.empty()) return "<none>";
  std::vector<std::string> parts;
  for (auto it = labels.begin(); it != labels.end(); ++it) {  // nlohmann keeps keys sorted
    parts.push_back(it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump()));
  }
  return join(parts);
}

std::string expressionText(const Json& expression) {
  const std::string key = str(expression, {"key"});
  const std::string op = str(expression, {"operator"});
  std::vector<std::string> values;
  for (const Json& v : array(expression, {"values"})) {
    if (v.is_string()) values.push_back(v.get<std::string>());
  }
  std::sort(values.begin(), values.end());
  if (op == "In") return key + " in (" + join(values) + ")";
  if (op == "NotIn") return key + " notin (" + join(values) + ")";
  if (op == "DoesNotExist") return "!" + key;
  return key;  // Exists
}

std::string formatSelector(const Json& selector) {
  std::vector<std::pair<std::string, std::string>> requirements;  // key, text
  if (const Json* labels = find(selector, {"matchLabels"}); labels && labels->is_object()) {
    for (auto it = labels->begin(); it != labels->end(); ++it) {
      const std::string value = it->is_string() ? it->get<std::string>() : it->dump();
      requirements.emplace_back(it.key(), it.key() + "=" + value);
    }
  }
  for (const Json& expression : array(selector, {"matchExpressions"})) {
    requirements.emplace_back(str(expression, {"key"}), expressionText(expression));
  }
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (auto& requirement : requirements) parts.push_back(std::move(requirement.second));
  return join(parts);
}

std::pair<std::string, std::string> containersAndImages(const Json& pod_spec) {
  std::vector<std::string> names;
  std::vector<std::string> images;
  for (const Json& container : array(pod_spec, {"containers"})) {
    names.push_back(str(container, {"name"}));
    images.push_back(str(container, {"image"}));
  }
  return {join(names), join(images)};
}

// --- pods ------------------------------------------------------------------------------------

struct PodCounts {
  int restarts = 0;
  std::optional<TimePoint> last_restart;
  int ready = 0;
  int total = 0;
  std::string reason;
};

void noteRestart(const Json& container_status, PodCounts& counts) {
  counts.restarts += static_cast<int>(integer(container_status, {"restartCount"}));
  auto finished = timestamp(container_status, {"lastState", "terminated", "finishedAt"});
  if (finished && (!counts.last_restart || *counts.last_restart < *finished)) {
    counts.last_restart = finished;
  }
}

std::string exitText(const Json& terminated, std::string_view prefix) {
  if (const int64_t signal = integer(terminated, {"signal"}); signal != 0) {
    return std::string(prefix) + "Signal:" + std::to_string(signal);
  }
  return std::string(prefix) + "ExitCode:" + std::to_string(integer(terminated, {"exitCode"}));
}

std::map<std::string, bool> restartableInitContainers(const Json& pod) {
  std::map<std::string, bool> restartable;
  for (const Json& c : array(pod, {"spec", "initContainers"})) {
    restartable[str(c, {"name"})] = str(c, {"restartPolicy"}) == "Always";
  }
  return restartable;
}

bool conditionTrue(const Json& pod, std::string_view type) {
  for (const Json& c : array(pod, {"status", "conditions"})) {
    if (str(c, {"type"}) == type) return str(c, {"status"}) == "True";
  }
  return false;
}

bool hasCondition(const Json& pod, std::string_view type) {
  const Json& conditions = array(pod, {"status", "conditions"});
  return std::any_of(conditions.begin(), conditions.end(),
                     [&](const Json& c) { return str(c, {"type"}) == type; });
}

// The init containers' part of the STATUS column. Returns true while the pod is initializing.
bool scanInitContainers(const Json& pod, PodCounts& counts, PodCounts& sidecars) {
  const auto restartable = restartableInitContainers(pod);
  const Json& statuses = array(pod, {"status", "initContainerStatuses"});
  const std::size_t declared = array(pod, {"spec", "initContainers"}).size();
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    const Json& status = statuses[i];
    noteRestart(status, counts);
    const auto it = restartable.find(str(status, {"name"}));
    const bool is_sidecar = it != restartable.end() && it->second;
    if (is_sidecar) noteRestart(status, sidecars);
    const Json* terminated = find(status, {"state", "terminated"});
    const std::string waiting = str(status, {"state", "waiting", "reason"});
    if (terminated != nullptr && integer(*terminated, {"exitCode"}) == 0) continue;
    if (is_sidecar && boolean(status, {"started"})) {
      if (boolean(status, {"ready"})) ++counts.ready;
      continue;
    }
    if (terminated != nullptr) {
      const std::string reason = str(*terminated, {"reason"});
      counts.reason = reason.empty() ? exitText(*terminated, "Init:") : "Init:" + reason;
    } else if (!waiting.empty() && waiting != "PodInitializing") {
      counts.reason = "Init:" + waiting;
    } else {
      counts.reason = "Init:" + std::to_string(i) + "/" + std::to_string(declared);
    }
    return true;
  }
  return false;
}

void scanContainers(const Json& pod, PodCounts& counts) {
  bool has_running = false;
  const Json& statuses = array(pod, {"status", "containerStatuses"});
  for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
    const Json& status = *it;
    noteRestart(status, counts);
    const std::string waiting = str(status, {"state", "waiting", "reason"});
    const Json* terminated = find(status, {"state", "terminated"});
    if (!waiting.empty()) {
      counts.reason = waiting;
    } else if (terminated != nullptr) {
      const std::string reason = str(*terminated, {"reason"});
      counts.reason = reason.empty() ? exitText(*terminated, "") : reason;
    } else if (boolean(status, {"ready"}) && find(status, {"state", "running"}) != nullptr) {
      has_running = true;
      ++counts.ready;
    }
  }
  // A pod whose finished containers say Completed still runs while any container does.
  if (counts.reason == "Completed" && has_running) {
    counts.reason = hasCondition(pod, "Ready") ? "Running" : "NotReady";
  }
}

PodCounts podCounts(const Json& pod) {
  PodCounts counts;
  const std::string phase = str(pod, {"status", "phase"});
  const std::string status_reason = str(pod, {"status", "reason"});
  counts.reason = status_reason.empty() ? phase : status_reason;
  for (const Json& c : array(pod, {"status", "conditions"})) {
    if (str(c, {"type"}) == "PodScheduled" && str(c, {"reason"}) == "SchedulingGated") {
      counts.reason = "SchedulingGated";
    }
  }
  counts.total = static_cast<int>(array(pod, {"spec", "containers"}).size());
  for (const auto& [name, is_sidecar] : restartableInitContainers(pod)) counts.total += is_sidecar;

  PodCounts sidecars;
  const bool initializing = scanInitContainers(pod, counts, sidecars);
  if (!initializing || conditionTrue(pod, "Initialized")) {
    counts.restarts = sidecars.restarts;
    counts.last_restart = sidecars.last_restart;
    scanContainers(pod, counts);
  }
  const bool deleting = find(pod, {"metadata", "deletionTimestamp"}) != nullptr;
  if (deleting && status_reason == "NodeLost") {
    counts.reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    counts.reason = "Terminating";
  }
  return counts;
}

std::string readinessGates(const Json& pod) {
  const Json& gates = array(pod, {"spec", "readinessGates"});
  if (gates.empty()) return "<none>";
  int satisfied = 0;
  for (const Json& gate : gates) satisfied += conditionTrue(pod, str(gate, {"conditionType"}));
  return std::to_string(satisfied) + "/" + std::to_string(gates.size());
}

std::string orNone(std::string value) { return value.empty() ? "<none>" : value; }

Json podConditions(const Json& pod) {
  const std::string phase = str(pod, {"status", "phase"});
  if (phase != "Succeeded" && phase != "Failed") return nullptr;
  const char* message =
      phase == "Succeeded" ? "The pod has completed successfully." : "The pod failed.";
  return Json::array(
      {{{"type", "Completed"}, {"status", "True"}, {"reason", phase}, {"message", message}}});
}

Row podRow(const Json& pod, TimePoint now) {
  const PodCounts counts = podCounts(pod);
  std::string restarts = std::to_string(counts.restarts);
  if (counts.restarts != 0 && counts.last_restart) {
    restarts += " (" + since(counts.last_restart, now) + " ago)";
  }
  std::string ip;
  if (const Json& ips = array(pod, {"status", "podIPs"}); !ips.empty()) ip = str(ips[0], {"ip"});
  if (ip.empty()) ip = str(pod, {"status", "podIP"});
  Row row;
  row.cells =
      Json::array({str(pod, {"metadata", "name"}),
                   std::to_string(counts.ready) + "/" + std::to_string(counts.total), counts.reason,
                   restarts, age(pod, now), orNone(ip), orNone(str(pod, {"spec", "nodeName"})),
                   orNone(str(pod, {"status", "nominatedNodeName"})), readinessGates(pod)});
  row.conditions = podConditions(pod);
  return row;
}

std::vector<TableColumn> podColumns() {
  return {nameColumn(),
          column("Ready", "string",
                 "The aggregate readiness state of this pod for accepting "
                 "traffic."),
          column("Status", "string", "The aggregate status of the containers in this pod."),
          column("Restarts", "string",
                 "The number of times the containers in this pod have been restarted and when "
                 "the last container in this pod has restarted."),
          ageColumn(),
          column("IP", "string", "The IP address allocated to the pod.", 1),
          column("Node", "string", "The node the pod is scheduled onto.", 1),
          column("Nominated Node", "string",
                 "The node the scheduler nominated for this pod while it preempts others.", 1),
          column("Readiness Gates", "string",
                 "Extra conditions that must be true for the pod to be ready.", 1)};
}

// --- workloads, services, namespaces -----------------------------------------------------------

Row deploymentRow(const Json& d, TimePoint now) {
  const Json* pod_spec = find(d, {"spec", "template", "spec"});
  const auto [containers, images] = containersAndImages(pod_spec ? *pod_spec : Json());
  const Json* selector = find(d, {"spec", "selector"});
  const int64_t desired = integer(d, {"spec", "replicas"}, 1);  // the API's default
  const std::string ready =
      std::to_string(integer(d, {"status", "readyReplicas"})) + "/" + std::to_string(desired);
  Row row;
  row.cells =
      Json::array({str(d, {"metadata", "name"}), ready, integer(d, {"status", "updatedReplicas"}),
                   integer(d, {"status", "availableReplicas"}), age(d, now), containers, images,
                   formatSelector(selector ? *selector : Json())});
  return row;
}

std::vector<TableColumn> deploymentColumns() {
  return {nameColumn(),
          column("Ready", "string", "Number of the pod with ready state"),
          column("Up-to-date", "string",
                 "Total number of non-terminated pods targeted by this deployment that have the "
                 "desired template spec."),
          column("Available", "string",
                 "Total number of available pods (ready for at least minReadySeconds) targeted "
                 "by this deployment."),
          ageColumn(),
          column("Containers", "string", "Names of each container in the template.", 1),
          column("Images", "string", "Images referenced by each container in the template.", 1),
          column("Selector", "string", "Label selector for pods.", 1)};
}

Row replicaSetRow(const Json& rs, TimePoint now) {
  const Json* pod_spec = find(rs, {"spec", "template", "spec"});
  const auto [containers, images] = containersAndImages(pod_spec ? *pod_spec : Json());
  const Json* selector = find(rs, {"spec", "selector"});
  Row row;
  row.cells = Json::array({str(rs, {"metadata", "name"}), integer(rs, {"spec", "replicas"}, 1),
                           integer(rs, {"status", "replicas"}),
                           integer(rs, {"status", "readyReplicas"}), age(rs, now), containers,
                           images, formatSelector(selector ? *selector : Json())});
  return row;
}

std::vector<TableColumn> replicaSetColumns() {
  return {nameColumn(),
          column("Desired", "integer", "Number of desired pods."),
          column("Current", "integer", "The most recently observed number of replicas."),
          column("Ready", "integer",
                 "The number of pods targeted by this ReplicaSet with a "
                 "Ready Condition."),
          ageColumn(),
          column("Containers", "string", "Names of each container in the template.", 1),
          column("Images", "string", "Images referenced by each container in the template.", 1),
          column("Selector", "string", "Label selector for pods.", 1)};
}

std::vector<std::string> strings(const Json& values) {
  std::vector<std::string> out;
  for (const Json& v : values) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string loadBalancerAddresses(const Json& svc) {
  std::vector<std::string> addresses;
  for (const Json& ingress : array(svc, {"status", "loadBalancer", "ingress"})) {
    std::string address = str(ingress, {"ip"});
    if (address.empty()) address = str(ingress, {"hostname"});
    if (!address.empty()) addresses.push_back(std::move(address));
  }
  return join(addresses);
}

std::string externalIp(const Json& svc, const std::string& type) {
  const std::vector<std::string> external = strings(array(svc, {"spec", "externalIPs"}));
  if (type == "ClusterIP" || type == "NodePort")
    return external.empty() ? "<none>" : join(external);
  if (type == "ExternalName") return str(svc, {"spec", "externalName"});
  if (type != "LoadBalancer") return "<unknown>";
  const std::string balancers = loadBalancerAddresses(svc);
  if (external.empty()) return balancers.empty() ? "<pending>" : balancers;
  return balancers.empty() ? join(external) : balancers + "," + join(external);
}

std::string servicePorts(const Json& svc) {
  std::vector<std::string> ports;
  for (const Json& p : array(svc, {"spec", "ports"})) {
    std::string protocol = str(p, {"protocol"});
    if (protocol.empty()) protocol = "TCP";
    std::string text = std::to_string(integer(p, {"port"}));
    if (const int64_t node_port = integer(p, {"nodePort"}); node_port > 0) {
      text += ":" + std::to_string(node_port);
    }
    ports.push_back(text + "/" + protocol);
  }
  return ports.empty() ? "<none>" : join(ports);
}

Row serviceRow(const Json& svc, TimePoint now) {
  std::string type = str(svc, {"spec", "type"});
  if (type.empty()) type = "ClusterIP";
  std::string cluster_ip;
  if (const Json& ips = array(svc, {"spec", "clusterIPs"}); !ips.empty() && ips[0].is_string()) {
    cluster_ip = ips[0].get<std::string>();
  } else {
    cluster_ip = str(svc, {"spec", "clusterIP"});
  }
  const Json* selector = find(svc, {"spec", "selector"});
  Row row;
  row.cells =
      Json::array({str(svc, {"metadata", "name"}), type, orNone(cluster_ip), externalIp(svc, type),
                   servicePorts(svc), age(svc, now), formatLabels(selector ? *selector : Json())});
  return row;
}

std::vector<TableColumn> serviceColumns() {
  return {nameColumn(),
          column("Type", "string", "How the service is exposed."),
          column("Cluster-IP", "string", "The IP address of the service inside the cluster."),
          column("External-IP", "string", "Addresses the service is reachable on from outside."),
          column("Port(s)", "string", "The ports exposed by this service."),
          ageColumn(),
          column("Selector", "string", "Label selector of the pods traffic is routed to.", 1)};
}

Row namespaceRow(const Json& ns, TimePoint now) {
  Row row;
  row.cells =
      Json::array({str(ns, {"metadata", "name"}), str(ns, {"status", "phase"}), age(ns, now)});
  return row;
}

std::vector<TableColumn> namespaceColumns() {
  return {nameColumn(), column("Status", "string", "The status of the namespace"), ageColumn()};
}

Row defaultRow(const Json& object, TimePoint /*now*/) {
  // Go formats a missing (zero) time as year 1.
  auto created = timestamp(object, {"metadata", "creationTimestamp"});
  Row row;
  row.cells = Json::array({str(object, {"metadata", "name"}),
                           created ? util::formatRfc3339(*created) : "0001-01-01T00:00:00Z"});
  return row;
}

// --- the JSONPath subset of printer columns -------------------------------------------------

using PathStep = std::variant<std::string, std::size_t>;  // field name or array index

Status pathError(std::string_view path, std::string_view problem) {
  return invalidError("jsonPath \"" + std::string(path) + "\": " + std::string(problem));
}

StatusOr<std::size_t> parseIndex(std::string_view path, std::string_view digits) {
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return pathError(path, "only non-negative array indexes are supported");
  }
  return static_cast<std::size_t>(std::stoul(std::string(digits)));
}

// `[0]` or `['key']`; `pos` is at '[' and ends after ']'.
StatusOr<PathStep> parseBracket(std::string_view path, std::size_t& pos) {
  const std::size_t close = path.find(']', pos);
  if (close == std::string_view::npos) return pathError(path, "unterminated [");
  std::string_view inner = path.substr(pos + 1, close - pos - 1);
  pos = close + 1;
  if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') &&
      inner.back() == inner.front()) {
    return PathStep(std::string(inner.substr(1, inner.size() - 2)));
  }
  ASSIGN_OR_RETURN(std::size_t index, parseIndex(path, inner));
  return PathStep(index);
}

// A field name after '.', up to the next unescaped '.' or '['.
StatusOr<PathStep> parseName(std::string_view path, std::size_t& pos) {
  std::string name;
  while (pos < path.size() && path[pos] != '.' && path[pos] != '[') {
    if (path[pos] == '\\' && pos + 1 < path.size()) ++pos;
    const char c = path[pos++];
    if (c == '*' || c == '@' || c == '?' || c == '(' || c == ')' || c == ' ') {
      return pathError(path, "only simple paths like .status.replicas are supported");
    }
    name.push_back(c);
  }
  if (name.empty()) return pathError(path, "empty field name");
  return PathStep(std::move(name));
}

StatusOr<std::vector<PathStep>> parseJsonPath(std::string_view path) {
  std::string_view body = path;
  if (body.size() >= 2 && body.front() == '{' && body.back() == '}') {
    body = body.substr(1, body.size() - 2);
  }
  if (body.empty() || (body.front() != '.' && body.front() != '[')) {
    return pathError(path, "must start with '.'");
  }
  std::vector<PathStep> steps;
  std::size_t pos = 0;
  while (pos < body.size()) {
    StatusOr<PathStep> step = Status(StatusCode::kInternal, "unreachable");
    if (body[pos] == '[') {
      step = parseBracket(body, pos);
    } else {
      ++pos;  // '.'
      step = parseName(body, pos);
    }
    if (!step.isOk()) return pathError(path, step.status().message());
    steps.push_back(std::move(step).value());
  }
  return steps;
}

const Json* evaluate(const Json& object, const std::vector<PathStep>& steps) {
  const Json* current = &object;
  for (const PathStep& step : steps) {
    if (const auto* name = std::get_if<std::string>(&step)) {
      if (!current->is_object()) return nullptr;
      auto it = current->find(*name);
      if (it == current->end()) return nullptr;
      current = &*it;
    } else {
      const std::size_t index = std::get<std::size_t>(step);
      if (!current->is_array() || index >= current->size()) return nullptr;
      current = &(*current)[index];
    }
  }
  return current;
}

// What a printer column's cell holds for `value`, by the column's type (null when it does not
// fit the type, which kubectl prints as <none>).
Json printerCell(const std::string& type, const Json& value, TimePoint now) {
  if (value.is_null()) return nullptr;
  if (type == "string") return value.is_string() ? value.get<std::string>() : value.dump();
  if (type == "integer" && value.is_number()) return value.get<int64_t>();
  if (type == "number" && value.is_number()) return value.get<double>();
  if (type == "boolean" && value.is_boolean()) return value.get<bool>();
  if (type == "date" && value.is_string()) {
    auto parsed = util::parseRfc3339(value.get<std::string>());
    return parsed.isOk() ? Json(humanDuration(now - *parsed)) : Json("<invalid>");
  }
  return nullptr;
}

struct PrinterColumn {
  TableColumn column;
  std::vector<PathStep> path;
};

StatusOr<PrinterColumn> parsePrinterColumn(const Json& spec) {
  const std::string name = str(spec, {"name"});
  const std::string type = str(spec, {"type"});
  const std::string json_path = str(spec, {"jsonPath"});
  if (name.empty() || type.empty() || json_path.empty()) {
    return invalidError("additionalPrinterColumns entries need name, type and jsonPath");
  }
  ASSIGN_OR_RETURN(std::vector<PathStep> path, parseJsonPath(json_path));
  std::string description = str(spec, {"description"});
  if (description.empty()) {
    description = "Custom resource definition column (in JSONPath format): " + json_path;
  }
  TableColumn column{name, type, str(spec, {"format"}), std::move(description),
                     static_cast<int32_t>(integer(spec, {"priority"}))};
  return PrinterColumn{std::move(column), std::move(path)};
}

Json defaultAgeColumnSpec() {
  return {{"name", "Age"},
          {"type", "date"},
          {"description", kCreationDescription},
          {"jsonPath", ".metadata.creationTimestamp"}};
}

Json partialObjectMetadata(const Json& object) {
  const Json* metadata = find(object, {"metadata"});
  return {{"kind", "PartialObjectMetadata"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", metadata != nullptr ? *metadata : Json::object()}};
}

}  // namespace

// --- public ------------------------------------------------------------------------------------

Json TableColumn::toJson() const {
  return {{"name", name},
          {"type", type},
          {"format", format},
          {"description", description},
          {"priority", priority}};
}

StatusOr<IncludeObject> parseIncludeObject(std::string_view text) {
  if (text.empty() || text == "Metadata") return IncludeObject::kMetadata;
  if (text == "None") return IncludeObject::kNone;
  if (text == "Object") return IncludeObject::kObject;
  return invalidError("includeObject: unsupported value \"" + std::string(text) +
                      "\" (None, Metadata or Object)");
}

std::string humanDuration(std::chrono::nanoseconds d) {
  using std::to_string;
  const int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return to_string(seconds) + "s";
  const int64_t minutes = seconds / 60;
  if (minutes < 10) {
    const int64_t s = seconds % 60;
    return s == 0 ? to_string(minutes) + "m" : to_string(minutes) + "m" + to_string(s) + "s";
  }
  if (minutes < 60 * 3) return to_string(minutes) + "m";
  const int64_t hours = minutes / 60;
  if (hours < 8) {
    const int64_t m = minutes % 60;
    return m == 0 ? to_string(hours) + "h" : to_string(hours) + "h" + to_string(m) + "m";
  }
  if (hours < 48) return to_string(hours) + "h";
  if (hours < 24 * 8) {
    const int64_t h = hours % 24;
    return h == 0 ? to_string(hours / 24) + "d" : to_string(hours / 24) + "d" + to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    const int64_t days = (hours / 24) % 365;
    const int64_t years = hours / 24 / 365;
    return days == 0 ? to_string(years) + "y" : to_string(years) + "y" + to_string(days) + "d";
  }
  return to_string(hours / 24 / 365) + "y";
}

Status validatePrinterJsonPath(std::string_view path) { return parseJsonPath(path).status(); }

TableConvertor TableConvertor::defaultConvertor() {
  return TableConvertor({nameColumn(), {"Created At", "date", "", kCreationDescription, 0}},
                        defaultRow);
}

TableConvertor TableConvertor::forKind(std::string_view group, std::string_view kind) {
  if (group.empty() && kind == "Pod") return TableConvertor(podColumns(), podRow);
  if (group == "apps" && kind == "Deployment") {
    return TableConvertor(deploymentColumns(), deploymentRow);
  }
  if (group == "apps" && kind == "ReplicaSet") {
    return TableConvertor(replicaSetColumns(), replicaSetRow);
  }
  if (group.empty() && kind == "Service") return TableConvertor(serviceColumns(), serviceRow);
  if (group.empty() && kind == "Namespace") {
    return TableConvertor(namespaceColumns(), namespaceRow);
  }
  return defaultConvertor();
}

StatusOr<TableConvertor> TableConvertor::forPrinterColumns(const Json& printer_columns) {
  Json specs = printer_columns.is_array() && !printer_columns.empty()
                   ? printer_columns
                   : Json::array({defaultAgeColumnSpec()});
  std::vector<TableColumn> columns = {nameColumn()};
  auto printers = std::make_shared<std::vector<PrinterColumn>>();
  for (const Json& spec : specs) {
    ASSIGN_OR_RETURN(PrinterColumn printer, parsePrinterColumn(spec));
    columns.push_back(printer.column);
    printers->push_back(std::move(printer));
  }
  auto cells = [printers](const Json& object, TimePoint now) {
    Row row;
    row.cells.push_back(str(object, {"metadata", "name"}));
    for (const PrinterColumn& printer : *printers) {
      const Json* value = evaluate(object, printer.path);
      row.cells.push_back(value ? printerCell(printer.column.type, *value, now) : Json(nullptr));
    }
    return row;
  };
  return TableConvertor(std::move(columns), std::move(cells));
}

StatusOr<TableConvertor> TableConvertor::forCrdVersion(const Json& crd, std::string_view version) {
  for (const Json& v : array(crd, {"spec", "versions"})) {
    if (str(v, {"name"}) != version) continue;
    const Json* columns = find(v, {"additionalPrinterColumns"});
    return forPrinterColumns(columns != nullptr ? *columns : Json());
  }
  return notFoundError("CustomResourceDefinition \"" + str(crd, {"metadata", "name"}) +
                       "\" has no version \"" + std::string(version) + "\"");
}

Json TableConvertor::row(const Json& object, TimePoint now, IncludeObject include) const {
  Row cells = cells_(object, now);
  Json row = {{"cells", std::move(cells.cells)}};
  if (!cells.conditions.is_null()) row["conditions"] = std::move(cells.conditions);
  if (include == IncludeObject::kMetadata) row["object"] = partialObjectMetadata(object);
  if (include == IncludeObject::kObject) row["object"] = object;
  return row;
}

Json TableConvertor::table(const TableOptions& options) const {
  Json table = {{"kind", "Table"},
                {"apiVersion", "meta.k8s.io/v1"},
                {"metadata", Json::object()},
                {"rows", Json::array()}};
  if (!options.noHeaders) {
    Json definitions = Json::array();
    for (const TableColumn& c : columns_) definitions.push_back(c.toJson());
    table["columnDefinitions"] = std::move(definitions);
  }
  return table;
}

Json TableConvertor::convertObject(const Json& object, TimePoint now,
                                   const TableOptions& options) const {
  Json result = table(options);
  if (std::string rv = str(object, {"metadata", "resourceVersion"}); !rv.empty()) {
    result["metadata"]["resourceVersion"] = std::move(rv);
  }
  result["rows"].push_back(row(object, now, options.includeObject));
  return result;
}

Json TableConvertor::convertList(const Json& list, TimePoint now,
                                 const TableOptions& options) const {
  Json result = table(options);
  Json& metadata = result["metadata"];
  if (std::string rv = str(list, {"metadata", "resourceVersion"}); !rv.empty()) {
    metadata["resourceVersion"] = std::move(rv);
  }
  if (std::string next = str(list, {"metadata", "continue"}); !next.empty()) {
    metadata["continue"] = std::move(next);
  }
  if (const Json* remaining = find(list, {"metadata", "remainingItemCount"});
      remaining != nullptr && remaining->is_number()) {
    metadata["remainingItemCount"] = *remaining;
  }
  for (const Json& item : array(list, {"items"})) {
    result["rows"].push_back(row(item, now, options.includeObject));
  }
  return result;
}

}  // namespace serin::cluster
