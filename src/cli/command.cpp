#include "serin/cli/command.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <ostream>
#include <sstream>

namespace serin::cli {
namespace {

bool isHelpFlag(std::string_view arg) { return arg == "--help" || arg == "-h"; }

std::string joinPath(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + " " + name;
}

}  // namespace

void FlagSet::addString(std::string name, char shorthand, std::string defaultValue,
                        std::string help) {
  assert(!flags_.contains(name));
  flags_.emplace(
      name, Flag{name, shorthand, Kind::kString, std::move(defaultValue), std::move(help), {}});
}

void FlagSet::addBool(std::string name, char shorthand, std::string help) {
  assert(!flags_.contains(name));
  flags_.emplace(name, Flag{name, shorthand, Kind::kBool, "false", std::move(help), {}});
}

void FlagSet::addList(std::string name, char shorthand, std::string help) {
  assert(!flags_.contains(name));
  flags_.emplace(name, Flag{name, shorthand, Kind::kList, "", std::move(help), {}});
}

FlagSet::Flag* FlagSet::find(std::string_view name) {
  auto it = flags_.find(name);
  return it == flags_.end() ? nullptr : &it->second;
}

FlagSet::Flag* FlagSet::findShort(char shorthand) {
  for (auto& [name, flag] : flags_) {
    if (flag.shorthand == shorthand) return &flag;
  }
  return nullptr;
}

const FlagSet::Flag& FlagSet::lookup(std::string_view name) const {
  auto it = flags_.find(name);
  assert(it != flags_.end() && "flag read but never declared");
  return it->second;
}

Status FlagSet::assign(Flag& flag, std::optional<std::string> inline_value,
                       const std::vector<std::string>& args, std::size_t& i) {
  if (flag.kind == Kind::kBool) {
    std::string v = inline_value.value_or("true");
    if (v != "true" && v != "false") {
      return invalidError("flag --" + flag.name + " takes true or false, not \"" + v + "\"");
    }
    flag.values = {v};
    return Status::ok();
  }
  if (!inline_value) {
    if (i + 1 >= args.size()) return invalidError("flag --" + flag.name + " needs a value");
    inline_value = args[++i];
  }
  if (flag.kind == Kind::kList) {
    flag.values.push_back(*inline_value);
  } else {
    flag.values = {*inline_value};
  }
  return Status::ok();
}

Status FlagSet::parse(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positionals_.insert(positionals_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg.size() > 2 && arg.starts_with("--")) {
      std::string body = arg.substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = body.find('='); eq != std::string::npos) {
        inline_value = body.substr(eq + 1);
        body.resize(eq);
      }
      Flag* flag = find(body);
      if (flag == nullptr) return invalidError("unknown flag: --" + body);
      RETURN_IF_ERROR(assign(*flag, std::move(inline_value), args, i));
    } else if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-') {
      Flag* flag = findShort(arg[1]);
      if (flag == nullptr)
        return invalidError("unknown shorthand flag: '" + arg.substr(1, 1) + "' in " + arg);
      std::optional<std::string> inline_value;
      if (arg.size() > 2) inline_value = arg.substr(arg[2] == '=' ? 3 : 2);
      RETURN_IF_ERROR(assign(*flag, std::move(inline_value), args, i));
    } else {
      positionals_.push_back(arg);
    }
  }
  return Status::ok();
}

std::string FlagSet::getString(std::string_view name) const {
  const Flag& f = lookup(name);
  return f.values.empty() ? f.defaultValue : f.values.back();
}

bool FlagSet::getBool(std::string_view name) const { return getString(name) == "true"; }

std::vector<std::string> FlagSet::getList(std::string_view name) const {
  return lookup(name).values;
}

StatusOr<long long> FlagSet::getInt(std::string_view name) const {
  std::string text = getString(name);
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return invalidError("flag --" + std::string(name) + " needs an integer, not \"" + text + "\"");
  }
  return value;
}

bool FlagSet::wasSet(std::string_view name) const { return !lookup(name).values.empty(); }

std::string FlagSet::usage() const {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& [name, flag] : flags_) {
    std::string left = flag.shorthand != '\0' ? std::string("  -") + flag.shorthand + ", --"
                                              : std::string("      --");
    left += name;
    if (flag.kind == Kind::kString) left += " string";
    if (flag.kind == Kind::kList) left += " stringArray";
    std::string right = flag.help;
    if (flag.kind == Kind::kString && !flag.defaultValue.empty()) {
      right += " (default \"" + flag.defaultValue + "\")";
    }
    rows.emplace_back(std::move(left), std::move(right));
  }
  std::size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  std::string out;
  for (const auto& [left, right] : rows) {
    out += left + std::string(width - left.size() + 3, ' ') + right + "\n";
  }
  return out;
}

std::string helpText(const Command& command, const std::string& path, const FlagSet& flags) {
  std::ostringstream out;
  if (!command.summary.empty()) out << command.summary << "\n\n";
  if (!command.description.empty()) out << command.description << "\n\n";
  out << "Usage:\n  " << (command.usage.empty() ? path : command.usage) << "\n";
  if (!command.subcommands.empty()) {
    out << "\nCommands:\n";
    std::size_t width = 0;
    for (const auto& sub : command.subcommands) width = std::max(width, sub.name.size());
    for (const auto& sub : command.subcommands) {
      out << "  " << sub.name << std::string(width - sub.name.size() + 3, ' ') << sub.summary
          << "\n";
    }
    out << "\nUse \"" << path << " <command> --help\" for more about a command.\n";
  }
  std::string flag_usage = flags.usage();
  if (!flag_usage.empty()) out << "\nFlags:\n" << flag_usage;
  return out.str();
}

int dispatch(const Command& root, const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err, const GlobalFlagsHook& globals,
             const std::function<int(const FlagSet&, std::ostream&)>& beforeRun) {
  // Walk down the tree while the next word names a subcommand.
  const Command* command = &root;
  std::string path = root.name;
  std::size_t i = 0;
  bool help = false;
  while (i < args.size() && !command->subcommands.empty()) {
    const std::string& word = args[i];
    if (word == "help") {
      help = true;
      ++i;
      continue;
    }
    if (isHelpFlag(word)) break;
    if (!word.empty() && word[0] == '-') break;  // flags of the group itself
    auto it = std::find_if(command->subcommands.begin(), command->subcommands.end(),
                           [&](const Command& c) { return c.name == word; });
    if (it == command->subcommands.end()) {
      err << "Error: unknown command \"" << word << "\" for \"" << path << "\"\n"
          << "Run '" << path << " --help' for usage.\n";
      return kExitUsage;
    }
    command = &*it;
    path = joinPath(path, command->name);
    ++i;
  }

  FlagSet flags;
  if (globals) globals(flags);
  if (command->defineFlags) command->defineFlags(flags);
  std::vector<std::string> rest(args.begin() + static_cast<long>(i), args.end());
  help = help ||
         std::any_of(rest.begin(), rest.end(), [](const std::string& a) { return isHelpFlag(a); });
  if (help) {
    out << helpText(*command, path, flags);
    return kExitOk;
  }
  if (Status s = flags.parse(rest); !s.isOk()) {
    err << "Error: " << s.message() << "\nRun '" << path << " --help' for usage.\n";
    return kExitUsage;
  }
  if (!command->run) {
    if (!flags.positionals().empty()) {
      err << "Error: unknown command \"" << flags.positionals().front() << "\" for \"" << path
          << "\"\nRun '" << path << " --help' for usage.\n";
    } else {
      err << helpText(*command, path, flags);
    }
    return kExitUsage;
  }
  auto count = static_cast<int>(flags.positionals().size());
  if (count < command->minArgs || (command->maxArgs >= 0 && count > command->maxArgs)) {
    err << "Error: wrong number of arguments for \"" << path << "\"\nUsage:\n  "
        << (command->usage.empty() ? path : command->usage) << "\n";
    return kExitUsage;
  }
  if (beforeRun) {
    if (int code = beforeRun(flags, err); code != kExitOk) return code;
  }
  return command->run(Invocation{flags, out, err, *command});
}

}  // namespace serin::cli
