#include "engine/rules/condition.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <limits>

#include <fnmatch.h>

#include "model/io_uring_twins.h"
#include "model/syscall_table.h"

namespace sctrace::rules {

namespace {

struct Token {
    enum class Kind { Word, Number, String, Op, LParen, RParen, Comma, End } kind = Kind::End;
    std::string_view text;  // as written (strings: without quotes)
    std::size_t offset = 0;
    std::int64_t number = 0;
    bool out_of_range = false;  // a Number beyond the int64 range
};

class Lexer {
public:
    explicit Lexer(std::string_view text) : text_(text) {}

    // Returns false with *error set on a bad character or an open string.
    bool next(Token& t, ConditionError* error) {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
            ++pos_;
        }
        t = Token{};
        t.offset = pos_;
        if (pos_ >= text_.size()) return true;
        const char c = text_[pos_];
        if (c == '(' || c == ')' || c == ',') {
            t.kind = c == '('   ? Token::Kind::LParen
                     : c == ')' ? Token::Kind::RParen
                                : Token::Kind::Comma;
            t.text = text_.substr(pos_++, 1);
            return true;
        }
        if (c == '"' || c == '\'') {
            const std::size_t close = text_.find(c, pos_ + 1);
            if (close == std::string_view::npos) {
                *error = {"a string is not closed", pos_, "add the closing quote"};
                return false;
            }
            t.kind = Token::Kind::String;
            t.text = text_.substr(pos_ + 1, close - pos_ - 1);
            pos_ = close + 1;
            return true;
        }
        if (c == '=' || c == '!' || c == '<' || c == '>') {
            std::size_t len = 1;
            if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '=') len = 2;
            if (c == '!' && len == 1) {
                *error = {"'!' must be '!='", pos_, "use 'not' to negate a condition"};
                return false;
            }
            t.kind = Token::Kind::Op;
            t.text = text_.substr(pos_, len);
            pos_ += len;
            return true;
        }
        const std::size_t start = pos_;
        while (pos_ < text_.size()) {
            const char w = text_[pos_];
            if (std::isalnum(static_cast<unsigned char>(w)) || w == '_' || w == '.' || w == '-' ||
                w == '/' || w == '@' || w == ':' || w == '*' || w == '[' || w == ']') {
                ++pos_;
            } else {
                break;
            }
        }
        if (pos_ == start) {
            *error = {std::string("unexpected character '") + c + "'", pos_, ""};
            return false;
        }
        t.text = text_.substr(start, pos_ - start);
        std::uint64_t v = 0;
        std::string_view digits = t.text;
        int base = 10;
        bool negative = false;
        if (digits.starts_with('-')) {
            negative = true;
            digits.remove_prefix(1);
        }
        if (digits.starts_with("0x")) {
            digits.remove_prefix(2);
            base = 16;
        }
        // Read as unsigned, so that -9223372036854775808 (whose magnitude
        // no int64 holds) is a number like any other.
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
        if (digits.empty() || end != digits.data() + digits.size() ||
            (ec != std::errc{} && ec != std::errc::result_out_of_range)) {
            t.kind = Token::Kind::Word;
            return true;
        }
        t.kind = Token::Kind::Number;
        constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
        if (ec == std::errc::result_out_of_range || v > kMax + (negative ? 1 : 0)) {
            t.out_of_range = true;
        } else if (negative) {
            t.number = static_cast<std::int64_t>(0 - v);  // wraps to INT64_MIN for 2^63
        } else {
            t.number = static_cast<std::int64_t>(v);
        }
        return true;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

std::int64_t errno_code(std::string_view name) {
    if (name.empty()) return 0;
    // The names glibc knows; built once (a condition compiles once).
    static const std::map<std::string, int, std::less<>> by_name = [] {
        std::map<std::string, int, std::less<>> m;
        for (int e = 1; e < 4096; ++e) {
            if (const char* n = strerrorname_np(e)) m.emplace(n, e);
        }
        return m;
    }();
    const auto it = by_name.find(name);
    return it == by_name.end() ? -1 : it->second;  // -1: no errno has that name
}

// The errno names conditions may compare evt.errno with, for hints.
std::vector<std::string_view> errno_names() {
    std::vector<std::string_view> names;
    for (int e = 1; e < 4096; ++e) {
        if (const char* n = strerrorname_np(e)) names.emplace_back(n);
    }
    return names;
}

// "a -> b -> c", shortened in the middle when long.
std::string chain_text(const std::vector<std::string>& chain) {
    std::string out;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        if (chain.size() > 10 && i >= 4 && i < chain.size() - 4) {
            if (i == 4) out += " -> ...";
            continue;
        }
        out += (out.empty() ? "" : " -> ") + chain[i];
    }
    if (chain.size() > 10) out += " (" + std::to_string(chain.size()) + " macros)";
    return out;
}

// What evt.type can be: a syscall of the x86_64 or i386 table, a call a
// log names by number ("syscall_0x1b6"), or an event kind.
bool is_event_type_name(std::string_view name) {
    if (syscall_number(Arch::X86_64, name) || syscall_number(Arch::I386, name) ||
        name.starts_with("syscall_")) {
        return true;
    }
    for (int k = 0; k <= static_cast<int>(EventKind::ThreadSample); ++k) {
        if (event_kind_name(static_cast<EventKind>(k)) == name) return true;
    }
    return false;
}

// The names evt.type can take, for "did you mean" hints.
std::vector<std::string_view> event_type_names() {
    std::vector<std::string_view> names = syscalls_with(0);
    for (int k = 0; k <= static_cast<int>(EventKind::ThreadSample); ++k) {
        names.push_back(event_kind_name(static_cast<EventKind>(k)));
    }
    return names;
}

bool is_keyword(std::string_view w) {
    return w == "and" || w == "or" || w == "not" || w == "in" || w == "contains" ||
           w == "startswith" || w == "endswith" || w == "exists" || w == "icontains" ||
           w == "glob" || w == "pmatch";
}

}  // namespace

std::string closest(std::string_view name, const std::vector<std::string_view>& candidates) {
    // Levenshtein distance; the candidate lists are short (fields, macros).
    std::string best;
    std::size_t best_distance = name.size() / 2 + 2;
    for (const std::string_view c : candidates) {
        std::vector<std::size_t> row(c.size() + 1);
        for (std::size_t j = 0; j <= c.size(); ++j) row[j] = j;
        for (std::size_t i = 1; i <= name.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= c.size(); ++j) {
                const std::size_t up = row[j];
                row[j] = std::min(
                    {row[j] + 1, row[j - 1] + 1, diagonal + (name[i - 1] == c[j - 1] ? 0 : 1)});
                diagonal = up;
            }
        }
        if (row[c.size()] < best_distance) {
            best_distance = row[c.size()];
            best = std::string(c);
        }
    }
    return best;
}

// A macro as compiled once: its parsed nodes (raw[0] unused: the compiled
// form's root slot), for copying into users, and its compiled form, for
// sharing.
struct ConditionCompiler::CompiledMacro {
    std::vector<Condition::Node> raw;
    std::uint32_t root = 0;
    std::vector<std::shared_ptr<const Condition>> refs;
    std::shared_ptr<const Condition> shared;
    int depth = 0;        // the nesting it adds where it is used, itself included
    std::string deepest;  // the macro it uses on its deepest path, if any
};

// The parser works on one text (the condition, or a macro's body) and appends
// nodes to the condition being built.
class Parser {
public:
    // `shallow`: a macro's name is taken as it is, unexpanded
    // (ConditionCompiler::check); the nodes are then only for the parse.
    Parser(std::string_view text, ConditionCompiler& compiler, std::vector<Condition::Node>& nodes,
           std::vector<std::shared_ptr<const Condition>>& refs, int depth, bool shallow)
        : lexer_(text),
          compiler_(compiler),
          macros_(compiler.macros_),
          lists_(compiler.lists_),
          nodes_(nodes),
          refs_(refs),
          depth_(depth),
          max_depth_(depth),
          shallow_(shallow) {}

    // The deepest nesting the parse reached, macros' insides included, and
    // the macro used on that path ("" when parentheses reached it).
    int max_depth() const { return max_depth_; }
    const std::string& deepest() const { return deepest_; }

    bool parse(std::uint32_t* root, ConditionError* error) {
        error_ = error;
        if (!advance()) return false;
        if (token_.kind == Token::Kind::End) return fail("the condition is empty", "");
        if (!parse_or(root)) return false;
        if (token_.kind != Token::Kind::End) {
            return fail("unexpected '" + std::string(token_.text) + "'",
                        "expected 'and', 'or' or the end of the condition");
        }
        return true;
    }

private:
    bool advance() { return lexer_.next(token_, error_); }

    bool fail(std::string message, std::string hint) {
        return fail_at(token_.offset, std::move(message), std::move(hint));
    }
    bool fail_at(std::size_t offset, std::string message, std::string hint) {
        *error_ = {std::move(message), offset, std::move(hint)};
        return false;
    }
    // A '(' the text ended inside: the mistake is at the '(', which the
    // end of the text does not show.
    bool fail_unclosed(std::size_t open, std::string_view what) {
        if (token_.kind == Token::Kind::End) {
            return fail_at(open, "this '(' is never closed",
                           "close " + std::string(what) + " with ')'");
        }
        return false;
    }

    std::uint32_t add(Condition::Node node) {
        nodes_.push_back(std::move(node));
        return static_cast<std::uint32_t>(nodes_.size() - 1);
    }

    std::uint32_t binary(Condition::Node::Kind kind, std::uint32_t l, std::uint32_t r) {
        Condition::Node n;
        n.kind = kind;
        n.left = l;
        n.right = r;
        return add(std::move(n));
    }

    bool parse_or(std::uint32_t* out) {
        if (!parse_and(out)) return false;
        while (token_.kind == Token::Kind::Word && token_.text == "or") {
            if (!advance()) return false;
            std::uint32_t right;
            if (!parse_and(&right)) return false;
            *out = binary(Condition::Node::Kind::Or, *out, right);
        }
        return true;
    }

    bool parse_and(std::uint32_t* out) {
        if (!parse_not(out)) return false;
        while (token_.kind == Token::Kind::Word && token_.text == "and") {
            if (!advance()) return false;
            std::uint32_t right;
            if (!parse_not(&right)) return false;
            *out = binary(Condition::Node::Kind::And, *out, right);
        }
        return true;
    }

    bool parse_not(std::uint32_t* out) {
        if (token_.kind == Token::Kind::Word && token_.text == "not") {
            if (!advance()) return false;
            if (!deeper()) return fail("conditions nest too deeply", "");
            std::uint32_t inner;
            if (!parse_not(&inner)) return false;
            --depth_;
            Condition::Node n;
            n.kind = Condition::Node::Kind::Not;
            n.left = inner;
            *out = add(std::move(n));
            return true;
        }
        return parse_primary(out);
    }

    bool parse_primary(std::uint32_t* out) {
        if (token_.kind == Token::Kind::LParen) {
            if (!deeper()) return fail("conditions nest too deeply", "");
            const std::size_t open = token_.offset;
            if (!advance()) return false;
            if (!parse_or(out)) return false;
            if (token_.kind == Token::Kind::End) return fail_unclosed(open, "the group");
            if (token_.kind != Token::Kind::RParen) {
                return fail("expected ')' or 'and', 'or', got '" + std::string(token_.text) + "'",
                            "");
            }
            --depth_;
            return advance();
        }
        if (token_.kind != Token::Kind::Word || is_keyword(token_.text)) {
            return fail(token_.kind == Token::Kind::End
                            ? "the condition ends too early"
                            : "expected a field or a macro, got '" + std::string(token_.text) + "'",
                        "");
        }
        const Token name = token_;
        if (macros_.find(name.text) != macros_.end()) return use_macro(name, out);
        // A field that takes a list names it in brackets: fd.others_in[blocking_fd_calls].
        std::string_view field_name = name.text;
        std::string_view list_name;
        bool bracket = false;
        if (const std::size_t open = field_name.find('['); open != std::string_view::npos) {
            bracket = true;
            if (!field_name.ends_with(']')) {
                return fail("expected ']' after the list name in '" + std::string(name.text) + "'",
                            "");
            }
            list_name = field_name.substr(open + 1, field_name.size() - open - 2);
            field_name = field_name.substr(0, open);
        }
        const FieldInfo* field = find_field(field_name);
        if (!field) {
            std::vector<std::string_view> names;
            for (const FieldInfo& f : all_fields()) names.push_back(f.name);
            for (const auto& [m, body] : macros_) names.push_back(m);
            const std::string guess = closest(name.text, names);
            fail("unknown field or macro '" + std::string(name.text) + "'",
                 guess.empty() ? "run 'sctrace rules fields' for the list"
                               : "did you mean '" + guess + "'?");
            error_->unknown_field = true;
            return false;
        }
        FieldList list;
        if (field_takes_list(field->id) && (bracket || !field_list_optional(field->id))) {
            if (list_name.empty()) {
                return fail(std::string(field->name) + " needs a list in brackets",
                            "e.g. " + std::string(field->name) + "[blocking_fd_calls]");
            }
            const auto found = lists_.find(list_name);
            if (found == lists_.end()) {
                std::vector<std::string_view> names;
                for (const auto& [l, items] : lists_) names.push_back(l);
                const std::string guess = closest(list_name, names);
                return fail("unknown list '" + std::string(list_name) + "'",
                            guess.empty()
                                ? "define it with '- list: " + std::string(list_name) + "'"
                                : "did you mean '" + guess + "'?");
            }
            list = FieldList(found->second);
        } else if (bracket) {
            return fail(std::string(field->name) + " takes no list", "");
        }
        if (!advance()) return false;
        return parse_comparison(*field, name, out, std::move(list));
    }

    // A constant for `field`, type-checked.
    bool constant(const FieldInfo& field, Condition::Node& n, bool into_set) {
        const Token t = token_;
        // evt.dir's values are the operator characters '<' and '>'.
        const bool direction = field.id == FieldId::EvtDir && t.kind == Token::Kind::Op &&
                               (t.text == "<" || t.text == ">");
        if (t.kind != Token::Kind::Word && t.kind != Token::Kind::Number &&
            t.kind != Token::Kind::String && !direction) {
            return fail("expected a value for " + std::string(field.name), "");
        }
        switch (field.type) {
            case FieldType::Int:
                if (t.kind != Token::Kind::Number) {
                    return fail(std::string(field.name) + " is a number; '" + std::string(t.text) +
                                    "' is not",
                                "");
                }
                if (t.out_of_range) {
                    return fail("'" + std::string(t.text) + "' is out of range",
                                "numbers are 64-bit: -9223372036854775808 to 9223372036854775807");
                }
                if (into_set) {
                    n.ints.push_back(t.number);
                } else {
                    n.i = t.number;
                }
                break;
            case FieldType::Bool:
                if (t.text != "true" && t.text != "false") {
                    return fail(std::string(field.name) + " is true or false, not '" +
                                    std::string(t.text) + "'",
                                "");
                }
                n.b = t.text == "true";
                break;
            case FieldType::String:
                if (!known_errno(field, n.op, t.text)) return false;
                if (!known_event_type(field, into_set ? Op::In : n.op, t.text, {})) return false;
                if (into_set) {
                    n.strings.emplace_back(t.text);
                } else {
                    n.s = std::string(t.text);
                }
                break;
        }
        return advance();
    }

    bool parse_comparison(const FieldInfo& field, const Token& name, std::uint32_t* out,
                          FieldList list) {
        Condition::Node n;
        n.kind = Condition::Node::Kind::Compare;
        n.field = field.id;
        n.type = field.type;
        n.list = std::move(list);
        if (token_.kind == Token::Kind::Word && token_.text == "exists") {
            n.op = Op::Exists;
            *out = add(std::move(n));
            return advance();
        }
        if (token_.kind == Token::Kind::Word && (token_.text == "in" || token_.text == "pmatch")) {
            if (token_.text == "pmatch" && field.type != FieldType::String) {
                return fail("'pmatch' needs a text field", "");
            }
            if (field.type == FieldType::Bool) return fail("'in' needs a number or text field", "");
            n.op = token_.text == "in" ? Op::In : Op::PMatch;
            if (!advance()) return false;
            if (token_.kind != Token::Kind::LParen) return fail("expected '(' after 'in'", "");
            const std::size_t open = token_.offset;
            if (!advance()) return false;
            while (true) {
                if (token_.kind == Token::Kind::End) return fail_unclosed(open, "the list");
                // A word naming a list stands for the list's items.
                if (token_.kind == Token::Kind::Word) {
                    if (const auto list = lists_.find(token_.text); list != lists_.end()) {
                        for (const auto& item : list->second) {
                            if (!known_event_type(field, Op::In, item, list->first)) return false;
                            if (field.type == FieldType::Int) {
                                std::int64_t v = 0;
                                auto [e, ec] =
                                    std::from_chars(item.data(), item.data() + item.size(), v);
                                if (ec != std::errc{} || e != item.data() + item.size()) {
                                    return fail("list '" + std::string(token_.text) +
                                                    "' has the non-number '" + item + "'",
                                                "");
                                }
                                n.ints.push_back(v);
                            } else {
                                if (!known_errno(field, Op::In, item)) return false;
                                n.strings.push_back(item);
                            }
                        }
                        if (!advance()) return false;
                        goto separator;
                    }
                }
                if (!constant(field, n, true)) return false;
            separator:
                if (token_.kind == Token::Kind::Comma) {
                    if (!advance()) return false;
                    continue;
                }
                if (token_.kind == Token::Kind::RParen) break;
                if (token_.kind == Token::Kind::End) return fail_unclosed(open, "the list");
                return fail("expected ',' or ')' in the list", "");
            }
            *out = add(std::move(n));
            return advance();
        }
        if (token_.kind == Token::Kind::Op) {
            const std::string_view op = token_.text;
            n.op = op == "=" || op == "==" ? Op::Eq
                   : op == "!="            ? Op::Ne
                   : op == "<"             ? Op::Lt
                   : op == "<="            ? Op::Le
                   : op == ">"             ? Op::Gt
                                           : Op::Ge;
            if (field.type != FieldType::Int && n.op != Op::Eq && n.op != Op::Ne) {
                return fail("'" + std::string(op) + "' compares numbers; " +
                                std::string(field.name) + " is not one",
                            "");
            }
        } else if (token_.kind == Token::Kind::Word &&
                   (token_.text == "contains" || token_.text == "startswith" ||
                    token_.text == "endswith" || token_.text == "icontains" ||
                    token_.text == "glob")) {
            if (field.type != FieldType::String) {
                return fail("'" + std::string(token_.text) + "' needs a text field", "");
            }
            n.op = token_.text == "contains"     ? Op::Contains
                   : token_.text == "icontains"  ? Op::IContains
                   : token_.text == "glob"       ? Op::Glob
                   : token_.text == "startswith" ? Op::StartsWith
                                                 : Op::EndsWith;
        } else {
            return fail("expected an operator after " + std::string(name.text),
                        "one of = != < <= > >= in contains icontains startswith endswith glob "
                        "pmatch exists");
        }
        if (!advance() || !constant(field, n, false)) return false;
        *out = add(std::move(n));
        return true;
    }

    // Counts a level of parentheses or `not`; false past the limit.
    bool deeper() {
        if (++depth_ > kMaxNesting) return false;
        max_depth_ = std::max(max_depth_, depth_);
        return true;
    }

    // A use of macro `name`: compiled once by the compiler, then copied
    // here when small, referenced when not.
    bool use_macro(const Token& name, std::uint32_t* out) {
        if (shallow_) {
            Condition::Node n;
            n.kind = Condition::Node::Kind::Macro;
            *out = add(std::move(n));
            return advance();
        }
        ConditionError inner;
        const auto* m = compiler_.macro(name.text, depth_ + 1, &inner);
        if (!m) {
            if (inner.names_chain) {
                *error_ = {std::move(inner.message), name.offset, std::move(inner.hint), true};
            } else {
                *error_ = {"in macro '" + std::string(name.text) + "': " + inner.message,
                           name.offset, inner.hint};
            }
            return false;
        }
        if (depth_ + m->depth > max_depth_) {
            max_depth_ = depth_ + m->depth;
            deepest_ = std::string(name.text);
        }
        if (m->raw.size() - 1 <= kMaxInlineMacroNodes) {
            // raw[0] is the compiled form's root slot, unused here.
            const std::uint32_t offset = static_cast<std::uint32_t>(nodes_.size()) - 1;
            for (std::size_t i = 1; i < m->raw.size(); ++i) {
                Condition::Node n = m->raw[i];
                switch (n.kind) {
                    case Condition::Node::Kind::And:
                    case Condition::Node::Kind::Or:
                        n.left += offset;
                        n.right += offset;
                        break;
                    case Condition::Node::Kind::Not:
                        n.left += offset;
                        break;
                    case Condition::Node::Kind::Macro:
                        refs_.push_back(m->refs[n.left]);
                        n.left = static_cast<std::uint32_t>(refs_.size() - 1);
                        break;
                    default:
                        break;
                }
                nodes_.push_back(std::move(n));
            }
            *out = m->root + offset;
        } else {
            Condition::Node n;
            n.kind = Condition::Node::Kind::Macro;
            n.left = static_cast<std::uint32_t>(refs_.size());
            refs_.push_back(m->shared);
            *out = add(std::move(n));
        }
        return advance();
    }

    // evt.errno compares with names: one glibc does not know can never
    // match, which is a mistake in the rule, not a condition.
    // (contains/startswith/endswith take parts of names.)
    bool known_errno(const FieldInfo& field, Op op, std::string_view value) {
        if (field.id != FieldId::EvtErrno || (op != Op::Eq && op != Op::Ne && op != Op::In) ||
            errno_code(value) >= 0) {
            return true;
        }
        const std::string guess = closest(value, errno_names());
        return fail("unknown errno '" + std::string(value) + "'",
                    guess.empty() ? "errno names are glibc's: EBADF, EAGAIN, EINPROGRESS ..."
                                  : "did you mean '" + guess + "'?");
    }

    // evt.type compares with a syscall of the tables or an event kind: any
    // other name can never match, which is a typo (`conect`) or a list
    // spelt wrong (`in (wrte_calls)`), not a condition. `list` names the
    // list the value came from, if it did.
    bool known_event_type(const FieldInfo& field, Op op, std::string_view value,
                          std::string_view list) {
        if (field.id != FieldId::EvtType || (op != Op::Eq && op != Op::Ne && op != Op::In) ||
            is_event_type_name(value)) {
            return true;
        }
        std::vector<std::string_view> names = event_type_names();
        if (list.empty() && op == Op::In) {
            for (const auto& [l, items] : lists_) names.push_back(l);
        }
        const std::string guess = closest(value, names);
        std::string hint = guess.empty() ? std::string(
                                               "evt.type is a syscall (connect, write ...) or an "
                                               "event kind (signal, exit ...)")
                                         : "did you mean '" + guess + "'?";
        if (!list.empty()) {
            return fail("list '" + std::string(list) + "' has '" + std::string(value) +
                            "', which is no syscall or event kind, so evt.type cannot match it",
                        std::move(hint));
        }
        return fail("'" + std::string(value) + "' is no syscall or event kind" +
                        (op == Op::In ? " (nor a list)" : ""),
                    std::move(hint));
    }

    Lexer lexer_;
    ConditionCompiler& compiler_;
    const ConditionCompiler::Macros& macros_;
    const ConditionCompiler::Lists& lists_;
    std::vector<Condition::Node>& nodes_;
    std::vector<std::shared_ptr<const Condition>>& refs_;
    int depth_;
    int max_depth_;
    std::string deepest_;
    bool shallow_;
    Token token_;
    ConditionError* error_ = nullptr;
};

namespace {

// evt.via_ring = true: a comparison only ring operations' twins pass.
bool is_via_ring(const Condition::Node& n) {
    return n.kind == Condition::Node::Kind::Compare && n.field == FieldId::EvtViaRing &&
           n.op == Op::Eq && n.b;
}

// Whether every event a node matches is a ring operation's twin.
bool only_ring_twins(const std::vector<Condition::Node>& nodes,
                     const std::vector<std::shared_ptr<const Condition>>& refs, std::uint32_t id,
                     int depth = 0) {
    using Kind = Condition::Node::Kind;
    const Condition::Node& n = nodes[id];
    if (depth > 2 * kMaxNesting) return false;
    switch (n.kind) {
        case Kind::Compare:
            return is_via_ring(n);
        case Kind::Macro:
            return refs[n.left]->only_ring_twins();
        case Kind::And:
            return only_ring_twins(nodes, refs, n.left, depth + 1) ||
                   only_ring_twins(nodes, refs, n.right, depth + 1);
        case Kind::Or:
            return only_ring_twins(nodes, refs, n.left, depth + 1) &&
                   only_ring_twins(nodes, refs, n.right, depth + 1);
        default:
            return false;
    }
}

// Which evt.type values a node can match (nullopt: any).
std::optional<std::set<std::string>> types_of(
    const std::vector<Condition::Node>& nodes,
    const std::vector<std::shared_ptr<const Condition>>& refs, std::uint32_t id, int depth = 0) {
    using Kind = Condition::Node::Kind;
    const Condition::Node& n = nodes[id];
    if (depth > 2 * kMaxNesting) return std::nullopt;
    switch (n.kind) {
        case Kind::Compare:
            if (n.field == FieldId::EvtType && n.op == Op::Eq) return std::set<std::string>{n.s};
            if (n.field == FieldId::EvtType && n.op == Op::In) {
                return std::set<std::string>(n.strings.begin(), n.strings.end());
            }
            if (is_via_ring(n)) {
                // The calls the rules see ring operations as.
                std::set<std::string> twins;
                for (const IoUringTwin& twin : io_uring_twins()) {
                    if (twin.shown_to_rules) twins.insert(std::string(twin.syscall));
                }
                return twins;
            }
            return std::nullopt;
        case Kind::Macro:
            return refs[n.left]->event_types();
        case Kind::Not:
        case Kind::Coded:  // made after this runs
        case Kind::AllOf:
        case Kind::AnyOf:
            return std::nullopt;
        case Kind::And: {
            auto l = types_of(nodes, refs, n.left, depth + 1),
                 r = types_of(nodes, refs, n.right, depth + 1);
            if (!l) return r;
            if (!r) return l;
            std::set<std::string> both;
            std::set_intersection(l->begin(), l->end(), r->begin(), r->end(),
                                  std::inserter(both, both.begin()));
            return both;
        }
        case Kind::Or: {
            auto l = types_of(nodes, refs, n.left, depth + 1),
                 r = types_of(nodes, refs, n.right, depth + 1);
            if (!l || !r) return std::nullopt;
            l->insert(r->begin(), r->end());
            return l;
        }
    }
    return std::nullopt;
}

// evt.type codes: an x86_64 syscall's number, or kKindCode + an event kind.
constexpr std::int64_t kKindCode = 100000;

// Rewrites comparisons of evt.type, evt.dir and evt.errno (=, !=, in) to
// integer codes: they are in almost every condition, and comparing their
// text cost a third of the rule engine's time.
void code_comparisons(std::vector<Condition::Node>& nodes) {
    for (Condition::Node& n : nodes) {
        if (n.kind != Condition::Node::Kind::Compare) continue;
        if (n.op != Op::Eq && n.op != Op::Ne && n.op != Op::In) continue;
        if (n.field != FieldId::EvtType && n.field != FieldId::EvtDir &&
            n.field != FieldId::EvtErrno) {
            continue;
        }
        std::vector<std::string> names = n.op == Op::In ? n.strings : std::vector{n.s};
        std::vector<std::int64_t> codes;
        for (const std::string& name : names) {
            switch (n.field) {
                case FieldId::EvtType:
                    if (const auto nr = syscall_number(Arch::X86_64, name)) codes.push_back(*nr);
                    for (int k = 0; k <= static_cast<int>(EventKind::ThreadSample); ++k) {
                        if (event_kind_name(static_cast<EventKind>(k)) == name) {
                            codes.push_back(kKindCode + k);
                        }
                    }
                    break;
                case FieldId::EvtDir:
                    codes.push_back(name == ">" ? 1 : name == "<" ? 0 : -1);
                    break;
                default:
                    codes.push_back(errno_code(name));
                    break;
            }
        }
        n.kind = Condition::Node::Kind::Coded;
        // Sorted: a list such as fd_calls has 31 names, searched per event.
        std::sort(codes.begin(), codes.end());
        n.ints = std::move(codes);
        // evt.type keeps its names for calls with no x86_64 number (i386,
        // x32, unknown): those compare as text.
        n.strings = std::move(names);
    }
}

// Rewrites each chain of `and` (or of `or`) into one AllOf (AnyOf) node
// whose operands are evaluated in a loop: a rule's condition is a left-deep
// chain, and evaluating it was a recursive call and an indirect jump per
// link. The coded comparisons (evt.type, evt.dir, evt.errno: an integer
// compare) go first, so that most events are turned away before a field is
// read; the operands are pure, so their order cannot change the result.
void flatten_chains(std::vector<Condition::Node>& nodes, std::vector<std::uint32_t>& operands) {
    using Kind = Condition::Node::Kind;
    // Which nodes are reachable and the chains' tops: walk from the root
    // with an explicit stack (a chain of a thousand `and`s is legal).
    std::vector<std::uint32_t> todo{0};
    std::vector<std::uint32_t> chain, stack;
    while (!todo.empty()) {
        const std::uint32_t id = todo.back();
        todo.pop_back();
        Condition::Node& n = nodes[id];
        if (n.kind == Kind::Not) {
            todo.push_back(n.left);
            continue;
        }
        if (n.kind != Kind::And && n.kind != Kind::Or) continue;
        const Kind link = n.kind;
        // The chain's operands, left to right.
        chain.clear();
        stack.assign({n.right, n.left});
        while (!stack.empty()) {
            const std::uint32_t c = stack.back();
            stack.pop_back();
            if (nodes[c].kind == link) {
                stack.push_back(nodes[c].right);
                stack.push_back(nodes[c].left);
            } else {
                chain.push_back(c);
            }
        }
        std::stable_partition(chain.begin(), chain.end(),
                              [&](std::uint32_t c) { return nodes[c].kind == Kind::Coded; });
        n.kind = link == Kind::And ? Kind::AllOf : Kind::AnyOf;
        n.left = static_cast<std::uint32_t>(operands.size());
        n.right = static_cast<std::uint32_t>(chain.size());
        operands.insert(operands.end(), chain.begin(), chain.end());
        todo.insert(todo.end(), chain.begin(), chain.end());
    }
}

}  // namespace

bool Condition::compare_coded(std::uint32_t id, const EvalContext& ctx) const {
    const Step& step = steps_[id];
    const Event& e = ctx.event;
    const SyscallEvent* call = e.syscall();
    std::int64_t v = 0;
    switch (step.field) {
        case FieldId::EvtType:
            if (!call) {
                v = kKindCode + static_cast<std::int64_t>(e.kind);
            } else if (call->arch == Arch::X86_64 && call->nr >= 0) {
                v = call->nr;
            } else {
                const Node& n = nodes_[id];
                const bool found =
                    std::find(n.strings.begin(), n.strings.end(), call->name) != n.strings.end();
                return step.op == Op::Ne ? !found : found;
            }
            break;
        case FieldId::EvtDir:
            if (!call) return false;  // absent: matches nothing
            v = e.kind == EventKind::SyscallEntry ? 1 : 0;
            break;
        default:  // EvtErrno
            if (!call || e.kind != EventKind::SyscallExit) return false;
            v = call->err;
            // An errno glibc has no name for reads as "" (as the text field).
            if (v != 0 && !strerrorname_np(static_cast<int>(v))) v = 0;
            break;
    }
    bool found;
    if (step.single) {
        found = v == step.code;
    } else {
        const std::vector<std::int64_t>& ints = nodes_[id].ints;
        found = ints.size() > 8 ? std::binary_search(ints.begin(), ints.end(), v)
                                : std::find(ints.begin(), ints.end(), v) != ints.end();
    }
    return step.op == Op::Ne ? !found : found;
}

namespace {

// What one evaluation may cost: the nodes reachable from the root (a tree:
// each parsed or copied node has one parent), each shared macro counted at
// its own cost per use. Saturates just past the limit.
std::uint64_t cost_of(const std::vector<Condition::Node>& nodes,
                      const std::vector<std::shared_ptr<const Condition>>& refs) {
    using Kind = Condition::Node::Kind;
    std::uint64_t cost = 0;
    std::vector<std::uint32_t> todo{0};
    while (!todo.empty() && cost <= kMaxConditionCost) {
        const Condition::Node& n = nodes[todo.back()];
        todo.pop_back();
        ++cost;
        if (n.kind == Kind::And || n.kind == Kind::Or) {
            todo.push_back(n.left);
            todo.push_back(n.right);
        } else if (n.kind == Kind::Not) {
            todo.push_back(n.left);
        } else if (n.kind == Kind::Macro) {
            cost += refs[n.left]->cost();
        }
    }
    return std::min(cost, kMaxConditionCost + 1);
}

}  // namespace

ConditionCompiler::ConditionCompiler(const Macros& macros, const Lists& lists)
    : macros_(macros), lists_(lists) {}

ConditionCompiler::~ConditionCompiler() = default;

// Parsed nodes (nodes[0] reserved) to an evaluable condition.
Condition ConditionCompiler::finish(std::vector<Condition::Node> nodes, std::uint32_t root,
                                    std::vector<std::shared_ptr<const Condition>> refs) {
    Condition condition;
    // Make the root node 0: copy it into the reserved slot. Nothing points
    // at the original, so it is left unreachable.
    nodes[0] = nodes[root];
    condition.event_types_ = types_of(nodes, refs, 0);
    condition.only_ring_twins_ = only_ring_twins(nodes, refs, 0);
    condition.cost_ = cost_of(nodes, refs);
    code_comparisons(nodes);
    flatten_chains(nodes, condition.operands_);
    condition.steps_.reserve(nodes.size());
    for (const Condition::Node& n : nodes) {
        Condition::Step step;
        step.kind = n.kind;
        step.field = n.field;
        step.op = n.op;
        step.left = n.left;
        step.right = n.right;
        // The codes are syscall numbers, kKindCode + a kind, 0/1, errnos.
        step.single = n.kind == Condition::Node::Kind::Coded && n.ints.size() == 1;
        if (step.single) step.code = static_cast<std::int32_t>(n.ints[0]);
        condition.steps_.push_back(step);
    }
    condition.nodes_ = std::move(nodes);
    condition.macros_ = std::move(refs);
    return condition;
}

namespace {

ConditionError too_costly(std::uint64_t cost) {
    return {"evaluating it would take more than " + std::to_string(kMaxConditionCost) +
                " comparisons per event (" +
                (cost > kMaxConditionCost ? std::string("macros used several times over, "
                                                        "nested, multiply")
                                          : std::string()) +
                ")",
            0, "use each macro once, or write the test it repeats once in a macro of its own"};
}

}  // namespace

const ConditionCompiler::CompiledMacro* ConditionCompiler::macro(std::string_view name, int depth,
                                                                 ConditionError* error) {
    const auto too_deep = [&](std::vector<std::string> chain) {
        *error = {"nesting deeper than " + std::to_string(kMaxNesting) +
                      " levels (parentheses, 'not' and macros inside macros): " + chain_text(chain),
                  0, "", true};
        return nullptr;
    };
    if (const auto it = compiled_.find(name); it != compiled_.end()) {
        if (depth - 1 + it->second->depth <= kMaxNesting) return it->second.get();
        std::vector<std::string> chain = active_;
        for (std::string m(name); !m.empty();) {
            chain.push_back(m);
            const auto next = compiled_.find(m);
            m = next == compiled_.end() ? "" : next->second->deepest;
        }
        return too_deep(std::move(chain));
    }
    if (const auto at = std::find(active_.begin(), active_.end(), name); at != active_.end()) {
        std::vector<std::string> chain(at, active_.end());
        chain.emplace_back(name);
        *error = {"macro '" + std::string(name) + "' uses itself: " + chain_text(chain), 0,
                  "a macro cannot be defined in terms of itself", true};
        return nullptr;
    }
    std::vector<std::string> chain = active_;
    chain.emplace_back(name);
    // Past the limit before a token: stops a chain of a thousand macros
    // here, not a thousand C++ frames deeper.
    if (depth > kMaxNesting) return too_deep(std::move(chain));
    const auto body = macros_.find(name);
    auto m = std::make_unique<CompiledMacro>();
    m->raw.emplace_back();
    active_.emplace_back(name);
    Parser parser(body->second, *this, m->raw, m->refs, depth, false);
    const bool ok = parser.parse(&m->root, error);
    active_.pop_back();
    if (!ok) return nullptr;  // not remembered: a nesting error depends on where it is used
    m->depth = parser.max_depth() - depth + 1;
    m->deepest = parser.deepest();
    Condition compiled = finish(m->raw, m->root, m->refs);
    if (compiled.cost() > kMaxConditionCost) {
        *error = too_costly(compiled.cost());
        error->message = "macro " + chain_text(chain) + ": " + error->message;
        error->names_chain = true;
        return nullptr;
    }
    m->shared = std::make_shared<const Condition>(std::move(compiled));
    return compiled_.emplace(std::string(name), std::move(m)).first->second.get();
}

std::variant<Condition, ConditionError> ConditionCompiler::compile(std::string_view text) {
    std::vector<Condition::Node> nodes;
    std::vector<std::shared_ptr<const Condition>> refs;
    nodes.emplace_back();  // the root's slot, filled in by finish()
    Parser parser(text, *this, nodes, refs, 0, false);
    std::uint32_t root = 0;
    ConditionError error;
    if (!parser.parse(&root, &error)) return error;
    Condition condition = finish(std::move(nodes), root, std::move(refs));
    if (condition.cost() > kMaxConditionCost) return too_costly(condition.cost());
    return condition;
}

std::optional<ConditionError> ConditionCompiler::check(std::string_view text) {
    std::vector<Condition::Node> nodes;
    std::vector<std::shared_ptr<const Condition>> refs;
    nodes.emplace_back();
    Parser parser(text, *this, nodes, refs, 0, true);
    std::uint32_t root = 0;
    ConditionError error;
    if (!parser.parse(&root, &error)) return error;
    return std::nullopt;
}

bool Condition::eval(std::uint32_t id, EvalContext& ctx) const {
    const Step& n = steps_[id];
    switch (n.kind) {
        case Node::Kind::And:
            return eval(n.left, ctx) && eval(n.right, ctx);
        case Node::Kind::Or:
            return eval(n.left, ctx) || eval(n.right, ctx);
        case Node::Kind::Not:
            return !eval(n.left, ctx);
        case Node::Kind::Compare:
            return compare(nodes_[id], ctx);
        case Node::Kind::Coded:
            return compare_coded(id, ctx);
        case Node::Kind::Macro:
            return macros_[n.left]->eval(0, ctx);
        case Node::Kind::AllOf:
            // The coded operands come first, tested without eval()'s dispatch.
            for (std::uint32_t i = n.left; i < n.left + n.right; ++i) {
                const std::uint32_t k = operands_[i];
                if (!(steps_[k].kind == Node::Kind::Coded ? compare_coded(k, ctx) : eval(k, ctx))) {
                    return false;
                }
            }
            return true;
        case Node::Kind::AnyOf:
            for (std::uint32_t i = n.left; i < n.left + n.right; ++i) {
                const std::uint32_t k = operands_[i];
                if (steps_[k].kind == Node::Kind::Coded ? compare_coded(k, ctx) : eval(k, ctx)) {
                    return true;
                }
            }
            return false;
    }
    return false;
}

Condition::Maybe Condition::eval3(std::uint32_t id, EvalContext& ctx) const {
    const auto of = [](bool b) { return b ? Maybe::Yes : Maybe::No; };
    const Step& n = steps_[id];
    switch (n.kind) {
        case Node::Kind::And:
        case Node::Kind::Or: {
            // Or is And with Yes and No swapped.
            const Maybe stop = n.kind == Node::Kind::And ? Maybe::No : Maybe::Yes;
            const Maybe l = eval3(n.left, ctx);
            if (l == stop) return stop;
            const Maybe r = eval3(n.right, ctx);
            if (r == stop) return stop;
            return l == Maybe::Unknown || r == Maybe::Unknown ? Maybe::Unknown : l;
        }
        case Node::Kind::Not: {
            const Maybe m = eval3(n.left, ctx);
            return m == Maybe::Unknown ? m : m == Maybe::Yes ? Maybe::No : Maybe::Yes;
        }
        case Node::Kind::Compare:
            if (!field_known_before_result(n.field)) return Maybe::Unknown;
            return of(compare(nodes_[id], ctx));
        case Node::Kind::Coded:
            if (!field_known_before_result(n.field)) return Maybe::Unknown;
            return of(compare_coded(id, ctx));
        case Node::Kind::Macro:
            return macros_[n.left]->eval3(0, ctx);
        case Node::Kind::AllOf:
        case Node::Kind::AnyOf: {
            const Maybe stop = n.kind == Node::Kind::AllOf ? Maybe::No : Maybe::Yes;
            bool unknown = false;
            for (std::uint32_t i = n.left; i < n.left + n.right; ++i) {
                const Maybe m = eval3(operands_[i], ctx);
                if (m == stop) return stop;
                unknown = unknown || m == Maybe::Unknown;
            }
            if (unknown) return Maybe::Unknown;
            return stop == Maybe::No ? Maybe::Yes : Maybe::No;
        }
    }
    return Maybe::Unknown;
}

bool Condition::reads(FieldId field) const {
    return fields().count(field) != 0;
}

std::set<std::string> Condition::list_calls() const {
    std::set<std::string> calls;
    for (const Node& n : nodes_) {
        if (n.kind == Node::Kind::Compare && field_list_calls_traced(n.field)) {
            calls.insert(n.list.items().begin(), n.list.items().end());
        }
    }
    for (const auto& m : macros_) {
        const auto more = m->list_calls();
        calls.insert(more.begin(), more.end());
    }
    return calls;
}

bool Condition::compare(const Node& n, EvalContext& ctx) const {
    const FieldValue v = read_field(n.field, ctx, field_takes_list(n.field) ? &n.list : nullptr);
    if (n.op == Op::Exists) return v.present;
    if (!v.present) return false;  // a field that does not apply matches nothing
    switch (n.type) {
        case FieldType::Bool:
            return n.op == Op::Eq ? v.b == n.b : v.b != n.b;
        case FieldType::Int:
            switch (n.op) {
                case Op::Eq:
                    return v.i == n.i;
                case Op::Ne:
                    return v.i != n.i;
                case Op::Lt:
                    return v.i < n.i;
                case Op::Le:
                    return v.i <= n.i;
                case Op::Gt:
                    return v.i > n.i;
                case Op::Ge:
                    return v.i >= n.i;
                case Op::In:
                    return std::find(n.ints.begin(), n.ints.end(), v.i) != n.ints.end();
                default:
                    return false;
            }
        case FieldType::String:
            switch (n.op) {
                case Op::Eq:
                    return v.s == n.s;
                case Op::Ne:
                    return v.s != n.s;
                case Op::In:
                    return std::find(n.strings.begin(), n.strings.end(), v.s) != n.strings.end();
                case Op::Contains:
                    return v.s.find(n.s) != std::string_view::npos;
                case Op::StartsWith:
                    return v.s.starts_with(n.s);
                case Op::EndsWith:
                    return v.s.ends_with(n.s);
                case Op::IContains:
                    return std::search(v.s.begin(), v.s.end(), n.s.begin(), n.s.end(),
                                       [](char a, char b) {
                                           return std::tolower(static_cast<unsigned char>(a)) ==
                                                  std::tolower(static_cast<unsigned char>(b));
                                       }) != v.s.end() ||
                           n.s.empty();
                case Op::Glob:
                    return ::fnmatch(n.s.c_str(), std::string(v.s).c_str(), 0) == 0;
                case Op::PMatch:
                    // A path is matched by a prefix that ends where one of
                    // its components does: /usr/bin matches /usr/bin/ls,
                    // not /usr/binary.
                    return std::any_of(n.strings.begin(), n.strings.end(),
                                       [&](const std::string& p) {
                                           if (!v.s.starts_with(p)) return false;
                                           return v.s.size() == p.size() || p.ends_with('/') ||
                                                  v.s[p.size()] == '/';
                                       });
                default:
                    return false;
            }
    }
    return false;
}

std::set<FieldId> Condition::fields() const {
    std::set<FieldId> out;
    for (const Node& n : nodes_) {
        if (n.kind == Node::Kind::Compare || n.kind == Node::Kind::Coded) out.insert(n.field);
    }
    for (const auto& m : macros_) {
        const auto more = m->fields();
        out.insert(more.begin(), more.end());
    }
    return out;
}

}  // namespace sctrace::rules
