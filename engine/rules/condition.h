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
//   OP         := "=" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "icontains" | "startswith"
//                 | "endswith" | "glob"          (and "pmatch" "(" value { "," value } ")")
//   value      := NUMBER | STRING | WORD          (a WORD naming a list expands to its items)
//
// Fields are listed in engine/rules/fields.cpp. Nesting (parentheses, `not`
// and macros within macros) is limited to kMaxNesting.
//
// A macro compiles once per ConditionCompiler, however many conditions and
// other macros use it: a small one is copied into its users (so its coded
// tests still go first, see flatten_chains), a larger one is shared by
// reference. Compiling is then linear in the rules' text. What a condition
// costs to evaluate is its size with every use of a macro counted
// (macros using macros twice over double it at each level): above
// kMaxConditionCost it is an error, not a rule that makes every event slow.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/rules/fields.h"

namespace sctrace::rules {

inline constexpr int kMaxNesting = 64;
// Comparisons one evaluation may make, every macro use expanded.
inline constexpr std::uint64_t kMaxConditionCost = 1 << 16;
// A macro of at most this many nodes is copied into its users.
inline constexpr std::size_t kMaxInlineMacroNodes = 16;

struct ConditionError {
    std::string message;
    std::size_t offset = 0;  // in the condition text, where the problem starts
    std::string hint;        // "did you mean 'fd.nonblocking'?"
    // The message names the chain of macros itself ("a -> b -> c"): the
    // macros it passes through add no "in macro 'x': " of their own.
    bool names_chain = false;
    // The text names a field this sctrace does not have (a rule with
    // Falco's skip-if-unknown-filter is then skipped, not refused).
    bool unknown_field = false;
};

enum class Op : std::uint8_t {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Contains,
    StartsWith,
    EndsWith,
    Exists,
    // Falco's: contains ignoring ASCII case; a shell wildcard (fnmatch);
    // a path equal to or below one of a list's.
    IContains,
    Glob,
    PMatch,
};

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
            AnyOf,
            Macro,  // a shared compiled macro: macros_[left]
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

    // Whether the condition can match `ctx` when only the fields
    // field_known_before_result() accepts are known: a call's exit judged
    // at its entry (`ctx.event` an exit without a result). Three-valued: a
    // comparison of an unknown field is Unknown, and `and`, `or` and `not`
    // combine as Kleene's logic does, so No means no result can make it match.
    enum class Maybe : std::uint8_t { No, Yes, Unknown };
    Maybe could_match(EvalContext& ctx) const {
        return steps_.empty() ? Maybe::Yes : eval3(0, ctx);
    }

    // The evt.type values that can match, or nullopt for "any event".
    const std::optional<std::set<std::string>>& event_types() const { return event_types_; }
    // Whether it matches only io_uring operations seen as their syscall
    // twins (it requires evt.via_ring = true): the tracer needs no stop at
    // its calls' own syscalls, only the ring's (io_uring_enter).
    bool only_ring_twins() const { return only_ring_twins_; }
    // Every field the condition reads, macros expanded.
    std::set<FieldId> fields() const;
    // Whether the condition reads `field`.
    bool reads(FieldId field) const;
    // Comparisons one evaluation may make, every macro use counted.
    std::uint64_t cost() const { return cost_; }
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
    Maybe eval3(std::uint32_t node, EvalContext& ctx) const;
    bool compare(const Node& n, EvalContext& ctx) const;
    bool compare_coded(std::uint32_t node, const EvalContext& ctx) const;

    std::vector<Node> nodes_;                               // nodes_[0] is the root
    std::vector<Step> steps_;                               // steps_[i] is nodes_[i], packed
    std::vector<std::uint32_t> operands_;                   // of AllOf/AnyOf nodes
    std::vector<std::shared_ptr<const Condition>> macros_;  // of Macro nodes
    std::optional<std::set<std::string>> event_types_;
    bool only_ring_twins_ = false;
    std::uint64_t cost_ = 0;
};

class Parser;

// Compiles conditions against a fixed set of macros and lists, each macro
// once (the compiler remembers it): keep one compiler for all the
// conditions of a rule set, and make a new one when a macro changes.
class ConditionCompiler {
public:
    using Macros = std::map<std::string, std::string, std::less<>>;
    using Lists = std::map<std::string, std::vector<std::string>, std::less<>>;

    ConditionCompiler(const Macros& macros, const Lists& lists);
    ~ConditionCompiler();
    ConditionCompiler(const ConditionCompiler&) = delete;
    ConditionCompiler& operator=(const ConditionCompiler&) = delete;

    std::variant<Condition, ConditionError> compile(std::string_view text);
    // Checks one text on its own: a macro it names is taken as it is,
    // unexpanded (each macro is checked where it is defined), so checking
    // every definition of a file is linear in the file.
    std::optional<ConditionError> check(std::string_view text);

private:
    friend class Parser;
    struct CompiledMacro;
    // `name`, compiled, its body starting at nesting `depth`; nullptr with
    // *error set.
    const CompiledMacro* macro(std::string_view name, int depth, ConditionError* error);
    static Condition finish(std::vector<Condition::Node> nodes, std::uint32_t root,
                            std::vector<std::shared_ptr<const Condition>> refs);

    const Macros& macros_;
    const Lists& lists_;
    std::map<std::string, std::unique_ptr<CompiledMacro>, std::less<>> compiled_;
    std::vector<std::string> active_;  // the macros being compiled, outermost first
};

// The closest name among `candidates` to `name`, for "did you mean" hints.
std::string closest(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace sctrace::rules
