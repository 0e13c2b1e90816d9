// JSON patch (RFC 6902) over JSON pointers (RFC 6901).
//
// Operations run on a private copy of the document, so a failure at operation N leaves the
// caller's document untouched, matching kube-apiserver, which rejects the whole patch.
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "serin/kube/patch.h"

namespace serin::kube {
namespace {

using Tokens = std::vector<std::string>;

StatusOr<Tokens> parsePointer(const std::string& pointer) {
  Tokens tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') return invalidError("path must be empty or start with '/'");
  std::string token;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (pointer[i] != '~') {
      token.push_back(pointer[i]);
    } else if (i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
      token.push_back(pointer[++i] == '0' ? '~' : '/');
    } else {
      return invalidError("'~' must be followed by '0' or '1'");
    }
  }
  return tokens;
}

// An array index token: digits without a leading zero, below `limit` (inclusive when
// `allow_end`, for insertion at the end).
StatusOr<size_t> parseIndex(const std::string& token, size_t limit, bool allow_end) {
  bool digits = !token.empty() && token.size() <= 18 &&
                token.find_first_not_of("0123456789") == std::string::npos &&
                (token == "0" || token.front() != '0');
  if (!digits) return invalidError("\"" + token + "\" is not an array index");
  size_t index = std::stoull(token);
  if (index > limit || (index == limit && !allow_end)) {
    return invalidError("index " + token + " is out of range (size " + std::to_string(limit) + ")");
  }
  return index;
}

// The value at tokens[0, depth), which must exist.
StatusOr<Json*> resolve(Json& document, const Tokens& tokens, size_t depth) {
  Json* node = &document;
  for (size_t i = 0; i < depth; ++i) {
    const std::string& token = tokens[i];
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) return invalidError("\"" + token + "\" does not exist");
      node = &*it;
    } else if (node->is_array()) {
      ASSIGN_OR_RETURN(size_t index, parseIndex(token, node->size(), false));
      node = &(*node)[index];
    } else {
      return invalidError("\"" + token + "\" is inside a value that is not a container");
    }
  }
  return node;
}

Status add(Json& document, const Tokens& tokens, Json value) {
  if (tokens.empty()) {
    document = std::move(value);
    return Status::ok();
  }
  ASSIGN_OR_RETURN(Json * parent, resolve(document, tokens, tokens.size() - 1));
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    (*parent)[last] = std::move(value);
  } else if (parent->is_array() && last == "-") {
    parent->push_back(std::move(value));
  } else if (parent->is_array()) {
    ASSIGN_OR_RETURN(size_t index, parseIndex(last, parent->size(), true));
    parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(index), std::move(value));
  } else {
    return invalidError("the parent is not an object or an array");
  }
  return Status::ok();
}

StatusOr<Json> remove(Json& document, const Tokens& tokens) {
  if (tokens.empty()) return invalidError("cannot remove the whole document");
  ASSIGN_OR_RETURN(Json * parent, resolve(document, tokens, tokens.size() - 1));
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    auto it = parent->find(last);
    if (it == parent->end()) return invalidError("\"" + last + "\" does not exist");
    Json removed = std::move(*it);
    parent->erase(it);
    return removed;
  }
  if (!parent->is_array()) return invalidError("the parent is not an object or an array");
  ASSIGN_OR_RETURN(size_t index, parseIndex(last, parent->size(), false));
  Json removed = std::move((*parent)[index]);
  parent->erase(parent->begin() + static_cast<std::ptrdiff_t>(index));
  return removed;
}

// One operation's fields, checked.
struct Operation {
  std::string op;
  std::string path;
  Tokens tokens;
  Tokens from;
  std::string from_text;
  const Json* value = nullptr;
};

StatusOr<std::string> stringMember(const Json& op, const char* name) {
  auto it = op.find(name);
  if (it == op.end() || !it->is_string()) {
    return invalidError(std::string("missing string member \"") + name + "\"");
  }
  return it->get<std::string>();
}

StatusOr<Operation> parseOperation(const Json& raw) {
  if (!raw.is_object()) return invalidError("an operation must be an object");
  Operation op;
  ASSIGN_OR_RETURN(op.op, stringMember(raw, "op"));
  ASSIGN_OR_RETURN(op.path, stringMember(raw, "path"));
  ASSIGN_OR_RETURN(op.tokens, parsePointer(op.path));
  if (op.op == "add" || op.op == "replace" || op.op == "test") {
    auto it = raw.find("value");
    if (it == raw.end()) return invalidError("missing member \"value\"");
    op.value = &*it;
  } else if (op.op == "move" || op.op == "copy") {
    ASSIGN_OR_RETURN(op.from_text, stringMember(raw, "from"));
    ASSIGN_OR_RETURN(op.from, parsePointer(op.from_text));
  } else if (op.op != "remove") {
    return invalidError("unknown operation \"" + op.op + "\"");
  }
  return op;
}

bool isProperPrefix(const Tokens& prefix, const Tokens& tokens) {
  return prefix.size() < tokens.size() && std::equal(prefix.begin(), prefix.end(), tokens.begin());
}

Status run(Json& document, const Operation& op) {
  if (op.op == "add") return add(document, op.tokens, *op.value);
  if (op.op == "remove") return remove(document, op.tokens).status();
  if (op.op == "replace") {
    ASSIGN_OR_RETURN(Json * target, resolve(document, op.tokens, op.tokens.size()));
    *target = *op.value;
    return Status::ok();
  }
  if (op.op == "test") {
    ASSIGN_OR_RETURN(Json * target, resolve(document, op.tokens, op.tokens.size()));
    if (*target != *op.value) {
      return invalidError("test failed: found " + target->dump() + ", expected " +
                          op.value->dump());
    }
    return Status::ok();
  }
  if (op.op == "copy") {
    ASSIGN_OR_RETURN(Json * source, resolve(document, op.from, op.from.size()));
    return add(document, op.tokens, *source);
  }
  // move
  if (op.from == op.tokens) {
    return resolve(document, op.from, op.from.size()).status();
  }
  if (isProperPrefix(op.from, op.tokens)) {
    return invalidError("cannot move \"" + op.from_text + "\" into one of its children");
  }
  ASSIGN_OR_RETURN(Json moved, remove(document, op.from));
  return add(document, op.tokens, std::move(moved));
}

Status operationError(size_t index, const Json& raw, const Status& cause) {
  std::string op = raw.is_object() && raw.contains("op") && raw["op"].is_string()
                       ? raw["op"].get<std::string>()
                       : "?";
  std::string path = raw.is_object() && raw.contains("path") && raw["path"].is_string()
                         ? raw["path"].get<std::string>()
                         : "?";
  return invalidError("json patch operation " + std::to_string(index) + " (" + op + ") at \"" +
                      path + "\": " + cause.message());
}

}  // namespace

StatusOr<Json> applyJsonPatch(const Json& document, const Json& operations) {
  if (!operations.is_array()) return invalidError("json patch must be an array of operations");
  try {
    Json result = document;
    for (size_t i = 0; i < operations.size(); ++i) {
      StatusOr<Operation> op = parseOperation(operations[i]);
      Status status = op.isOk() ? run(result, *op) : op.status();
      if (!status.isOk()) return operationError(i, operations[i], status);
    }
    return result;
  } catch (const std::exception& e) {
    return invalidError(std::string("json patch: ") + e.what());
  }
}

}  // namespace serin::kube
