// `serin manifest ...`: the object model offline, on files. Useful on its own (like
// `kubectl patch --local`) and the tour `make demo` runs before a cluster is involved.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "serin/kube/patch.h"
#include "serin/kube/selector.h"
#include "serin/kube/yaml.h"

#include "commands.h"

namespace serin::cli {
namespace {

StatusOr<std::string> readInput(const std::string& path) {
  if (path.empty()) return invalidError("no input: pass -f FILE (or -f - for stdin)");
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return notFoundError("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

StatusOr<std::vector<kube::Object>> readManifests(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, readInput(path));
  auto objects = kube::decodeManifests(text);
  if (!objects.isOk()) return objects.status().withContext(path);
  return objects;
}

// Parses a patch given inline as JSON or YAML.
StatusOr<kube::Json> parsePatch(const std::string& text) {
  auto parsed = kube::yamlToJson(text);
  if (!parsed.isOk()) return parsed.status().withContext("patch");
  return parsed;
}

int fail(const Invocation& inv, const Status& status) {
  inv.err << "Error: " << status.message() << "\n";
  return kExitFailure;
}

Status print(const Invocation& inv, const std::vector<kube::Json>& docs) {
  const std::string format = inv.flags.getString("output");
  if (format == "json") {
    for (const auto& d : docs) inv.out << d.dump(2) << "\n";
  } else if (format == "yaml") {
    inv.out << kube::jsonToYamlDocuments(docs);
  } else {
    return invalidError("unknown output format \"" + format + "\" (want yaml or json)");
  }
  return Status::ok();
}

void outputFlag(FlagSet& f) { f.addString("output", 'o', "yaml", "Output format: yaml or json"); }

Command convertCommand() {
  Command cmd;
  cmd.name = "convert";
  cmd.summary = "Decode manifests (YAML or JSON, multi-document, Lists) and print them";
  cmd.usage = "serin manifest convert -f FILE [-o yaml|json]";
  cmd.defineFlags = [](FlagSet& f) {
    f.addString("filename", 'f', "", "Manifest file, or - for stdin");
    outputFlag(f);
  };
  cmd.run = [](const Invocation& inv) {
    auto objects = readManifests(inv.flags.getString("filename"));
    if (!objects.isOk()) return fail(inv, objects.status());
    std::vector<kube::Json> docs;
    for (auto& o : *objects) docs.push_back(std::move(o.json()));
    if (Status s = print(inv, docs); !s.isOk()) return fail(inv, s);
    return kExitOk;
  };
  return cmd;
}

StatusOr<kube::Json> applyPatch(const kube::Object& object, const std::string& type,
                                const kube::Json& patch) {
  if (type == "merge") return kube::applyMergePatch(object.json(), patch);
  if (type == "json") return kube::applyJsonPatch(object.json(), patch);
  if (type == "strategic") {
    if (!kube::hasStrategicSchema(object.gvk())) {
      return invalidError("strategic merge patch is not supported for " + object.gvk().toString() +
                          "; use --type merge or --type json");
    }
    return kube::applyStrategicMergePatch(object.json(), patch, object.gvk());
  }
  return invalidError("unknown patch type \"" + type + "\" (want strategic, merge or json)");
}

Command patchCommand() {
  Command cmd;
  cmd.name = "patch";
  cmd.summary = "Apply a patch to every object of a file, as kubectl patch --local does";
  cmd.usage = "serin manifest patch -f FILE -p PATCH [--type strategic|merge|json] [-o yaml|json]";
  cmd.defineFlags = [](FlagSet& f) {
    f.addString("filename", 'f', "", "Manifest file, or - for stdin");
    f.addString("patch", 'p', "", "The patch, as JSON or YAML");
    f.addString("type", '\0', "strategic", "Patch type: strategic, merge or json");
    outputFlag(f);
  };
  cmd.run = [](const Invocation& inv) {
    auto objects = readManifests(inv.flags.getString("filename"));
    if (!objects.isOk()) return fail(inv, objects.status());
    if (!inv.flags.wasSet("patch")) return fail(inv, invalidError("flag --patch is required"));
    auto patch = parsePatch(inv.flags.getString("patch"));
    if (!patch.isOk()) return fail(inv, patch.status());
    std::vector<kube::Json> docs;
    for (const auto& object : *objects) {
      auto patched = applyPatch(object, inv.flags.getString("type"), *patch);
      if (!patched.isOk()) {
        return fail(inv, patched.status().withContext(object.kind() + " " + object.name()));
      }
      docs.push_back(std::move(*patched));
    }
    if (Status s = print(inv, docs); !s.isOk()) return fail(inv, s);
    return kExitOk;
  };
  return cmd;
}

StatusOr<kube::Json> readSingle(const std::string& path) {
  ASSIGN_OR_RETURN(auto objects, readManifests(path));
  if (objects.size() != 1) {
    return invalidError(path + ": expected exactly one object, found " +
                        std::to_string(objects.size()));
  }
  return std::move(objects.front().json());
}

Command threeWayCommand() {
  Command cmd;
  cmd.name = "three-way";
  cmd.summary = "Compute the patch kubectl apply would send (last applied, desired, live)";
  cmd.usage = "serin manifest three-way --last-applied FILE --desired FILE --live FILE";
  cmd.defineFlags = [](FlagSet& f) {
    f.addString("last-applied", '\0', "", "The last applied configuration (may be empty)");
    f.addString("desired", '\0', "", "The desired object");
    f.addString("live", '\0', "", "The live object");
    f.addString("output", 'o', "json", "Output format: yaml or json");
  };
  cmd.run = [](const Invocation& inv) {
    kube::Json last = nullptr;
    if (inv.flags.wasSet("last-applied")) {
      auto parsed = readSingle(inv.flags.getString("last-applied"));
      if (!parsed.isOk()) return fail(inv, parsed.status());
      last = std::move(*parsed);
    }
    auto desired = readSingle(inv.flags.getString("desired"));
    if (!desired.isOk()) return fail(inv, desired.status());
    auto live = readSingle(inv.flags.getString("live"));
    if (!live.isOk()) return fail(inv, live.status());
    kube::Object desired_object(*desired);
    auto patch = kube::createThreeWayMergePatch(last, *desired, *live, desired_object.gvk());
    if (!patch.isOk()) return fail(inv, patch.status());
    if (Status s = print(inv, {*patch}); !s.isOk()) return fail(inv, s);
    return kExitOk;
  };
  return cmd;
}

Command selectCommand() {
  Command cmd;
  cmd.name = "select";
  cmd.summary = "List the objects of a file that match label and field selectors";
  cmd.usage = "serin manifest select -f FILE [-l SELECTOR] [--field-selector SELECTOR]";
  cmd.defineFlags = [](FlagSet& f) {
    f.addString("filename", 'f', "", "Manifest file, or - for stdin");
    f.addString("selector", 'l', "", "Label selector, e.g. 'app=web,tier in (fe,be)'");
    f.addString("field-selector", '\0', "", "Field selector, e.g. 'metadata.name=web'");
  };
  cmd.run = [](const Invocation& inv) {
    auto labels = kube::LabelSelector::parse(inv.flags.getString("selector"));
    if (!labels.isOk()) return fail(inv, labels.status());
    auto fields = kube::FieldSelector::parse(inv.flags.getString("field-selector"));
    if (!fields.isOk()) return fail(inv, fields.status());
    auto objects = readManifests(inv.flags.getString("filename"));
    if (!objects.isOk()) return fail(inv, objects.status());
    for (const auto& o : *objects) {
      if (labels->matches(o.labels()) && fields->matches(o)) {
        inv.out << o.kind() << "/" << o.name() << "\n";
      }
    }
    return kExitOk;
  };
  return cmd;
}

}  // namespace

Command manifestCommand() {
  Command cmd;
  cmd.name = "manifest";
  cmd.summary = "Work with manifest files offline: convert, patch, three-way merge, select";
  cmd.usage = "serin manifest <command> [flags]";
  cmd.subcommands = {convertCommand(), patchCommand(), threeWayCommand(), selectCommand()};
  return cmd;
}

}  // namespace serin::cli
