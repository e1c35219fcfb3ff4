// Rule conditions: parse, check and compile in one pass over the text, into
// a flat array of typed nodes that evaluate with no string lookups.
//
// Grammar (Falco's, so its users read it at once):
//
//   condition  := or_expr
//   or_expr    := and_expr { "or" and_expr }
//   and_expr   := not_expr { "and" not_expr }
//   not_expr   := "not" not_expr | primary
//   primary    := "(" condition ")" | MACRO | comparison
//   comparison := FIELD [ "[" LIST "]" ] ( OP value | "in" "(" value { "," value } ")" | "exists" )
//                 (the bracket names a list, for the fields that take one: fd.others_in)
//   OP         := "=" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "startswith" | "endswith"
//   value      := NUMBER | STRING | WORD          (a WORD naming a list expands to its items)
//
// Fields are listed in engine/rules/fields.cpp. Nesting (parentheses and
// macros within macros) is limited to kMaxNesting.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/rules/fields.h"

namespace sctrace::rules {

inline constexpr int kMaxNesting = 64;

struct ConditionError {
    std::string message;
    std::size_t offset = 0;  // in the condition text, where the problem starts
    std::string hint;        // "did you mean 'fd.nonblocking'?"
};

enum class Op : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge, In, Contains, StartsWith, EndsWith, Exists };

class Condition {
public:
    // The compiled form: node 0 is the root; And/Or/Not refer to others.
    struct Node {
        // Coded: a comparison of evt.type, evt.dir or evt.errno rewritten at
        // compile time to compare small integers (syscall number or event
        // kind, direction, errno) instead of text; `ints` holds the codes.
        // AllOf/AnyOf: a chain of and/or flattened at compile time, its
        // operands at operands_[left, left + right), coded ones first.
        enum class Kind : std::uint8_t {
            And,
            Or,
            Not,
            Compare,
            Coded,
            AllOf,
            AnyOf
        } kind = Kind::Compare;
        std::uint32_t left = 0, right = 0;
        FieldId field = FieldId::EvtType;
        FieldType type = FieldType::Int;
        Op op = Op::Eq;
        std::int64_t i = 0;
        bool b = false;
        std::string s;
        std::vector<std::int64_t> ints;    // In
        std::vector<std::string> strings;  // In
        FieldList list;                    // a field's list argument (fd.others_in[LIST])
    };

    bool matches(EvalContext& ctx) const { return steps_.empty() || eval(0, ctx); }

    // The evt.type values that can match, or nullopt for "any event".
    const std::optional<std::set<std::string>>& event_types() const { return event_types_; }
    // Every field the condition reads, macros expanded.
    std::set<FieldId> fields() const;
    // Whether the condition reads `field`.
    bool reads(FieldId field) const;
    // The calls named by the lists its fields take (fd.others_in[LIST]): the
    // tracer must see other threads enter them.
    std::set<std::string> list_calls() const;

private:
    friend class ConditionCompiler;
    // What evaluation reads of a node, packed (16 bytes, against a Node's
    // 112): a rule's nodes stay in a few cache lines, which the stream of
    // events evicts between two events of the rule's type.
    struct Step {
        Node::Kind kind = Node::Kind::Compare;
        FieldId field = FieldId::EvtType;
        Op op = Op::Eq;
        bool single = false;  // Coded: one code, in `code`
        std::uint32_t left = 0, right = 0;
        std::int32_t code = 0;
    };
    bool eval(std::uint32_t node, EvalContext& ctx) const;
    bool compare(const Node& n, EvalContext& ctx) const;
    bool compare_coded(std::uint32_t node, const EvalContext& ctx) const;

    std::vector<Node> nodes_;              // nodes_[0] is the root
    std::vector<Step> steps_;              // steps_[i] is nodes_[i], packed
    std::vector<std::uint32_t> operands_;  // of AllOf/AnyOf nodes
    std::optional<std::set<std::string>> event_types_;
};

class ConditionCompiler {
public:
    using Macros = std::map<std::string, std::string, std::less<>>;
    using Lists = std::map<std::string, std::vector<std::string>, std::less<>>;

    ConditionCompiler(const Macros& macros, const Lists& lists) : macros_(macros), lists_(lists) {}

    std::variant<Condition, ConditionError> compile(std::string_view text) const;

private:
    const Macros& macros_;
    const Lists& lists_;
};

// The closest name among `candidates` to `name`, for "did you mean" hints.
std::string closest(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace sctrace::rules
