// sctrace analyze with its lines parsed on a second thread (ParsePipeline)
// must give what reading on one thread gives: the same events in the same
// order, with the same arguments, and the same problems on the same lines.
// Batches of a few lines put every pairing across batch boundaries.
#include "sources/logs/parse_pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sources/logs/saved_logs.h"

namespace sctrace::logs {
namespace {

namespace fs = std::filesystem;

// Every field of a tree's node, its children after it: a packed tree loaded
// wrong (a view left pointing at the parse thread's arena) shows here.
void describe(const ArgTree& tree, NodeId id, std::ostream& out) {
    const ArgNode& n = tree.node(id);
    out << '(' << static_cast<int>(n.kind) << ' ' << n.key << '=' << n.value << " '" << n.text
        << "' " << n.truncated << n.fd << n.pid << n.spaced << n.indexed << n.changed;
    for (const NodeId c : tree.children(id)) describe(tree, c, out);
    out << ')';
}

struct Recorder final : EventSink {
    std::vector<std::string> events;
    bool ended = false;
    void on_event(const Event& e) override {
        std::ostringstream out;
        out << static_cast<int>(e.kind) << " t=" << e.time << " " << e.pid << "/" << e.tid;
        if (const auto* s = e.syscall()) {
            out << " " << s->name << " nr=" << s->nr << " entry=" << s->entry_time
                << " ret=" << s->has_result << ":" << s->ret << " err=" << s->err;
            if (const ArgTree* t = s->decoded) {
                out << " args=";
                describe(*t, t->root(), out);
                out << " ret_text='" << t->ret_text << "' entry_args=" << t->entry_arg_count
                    << t->entry_complete << " overflowed=" << t->overflowed();
                if (t->ret_aux != kNoNode) describe(*t, t->ret_aux, out);
            }
        }
        if (const auto* sp = e.spawn()) out << " spawn " << static_cast<int>(sp->kind) << " " << sp->child_tid;
        if (const auto* x = e.exit()) out << " exit " << x->code << " " << x->signo;
        if (const auto* x = e.exec()) out << " exec " << x->path;
        events.push_back(out.str());
    }
    void on_end() override { ended = true; }
};

struct Observer final : ReadObserver {
    std::vector<std::string> said;
    bool due() override { return true; }
    void show(std::size_t bytes, std::size_t lines) override {
        said.push_back("progress " + std::to_string(bytes) + " " + std::to_string(lines));
    }
    void problem(const strace_text::LogProblem& p) override {
        said.push_back(p.file + ":" + std::to_string(p.line) + ": " + p.message);
    }
    void end_of_input() override { said.push_back("end of input"); }
};

struct Outcome {
    std::vector<std::string> events, said;
    std::size_t unparsed = 0;
    bool ended = false;
};

class ParsePipelineTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("sctrace-pipeline-" + std::to_string(getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string write(const std::string& name, const std::vector<std::string>& lines) const {
        const std::string path = (dir_ / name).string();
        std::ofstream out(path);
        for (const auto& l : lines) out << l << '\n';
        return path;
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    static Outcome read(const std::vector<std::string>& names, unsigned jobs,
                        std::size_t batch_lines) {
        Outcome o;
        SavedLogs logs(names);
        Recorder sink;
        Observer observer;
        SavedLogs::ReadOptions options;
        options.jobs = jobs;
        options.batch_lines = batch_lines;
        o.unparsed = logs.read(sink, observer, options);
        o.events = std::move(sink.events);
        o.said = std::move(observer.said);
        o.ended = sink.ended;
        return o;
    }

    // jobs 2 at several batch sizes against jobs 1; returns jobs 1's outcome.
    static Outcome expect_same(const std::vector<std::string>& names) {
        const Outcome one = read(names, 1, 1024);
        for (const std::size_t batch : {1, 2, 3, 5, 1024}) {
            const Outcome two = read(names, 2, batch);
            EXPECT_EQ(two.events, one.events) << "batches of " << batch << " lines";
            EXPECT_EQ(two.said, one.said) << "batches of " << batch << " lines";
            EXPECT_EQ(two.unparsed, one.unparsed) << "batches of " << batch << " lines";
            EXPECT_EQ(two.ended, one.ended);
        }
        return one;
    }

    fs::path dir_;
};

std::size_t count_with(const std::vector<std::string>& lines, const std::string& needle) {
    std::size_t n = 0;
    for (const auto& l : lines) n += l.find(needle) != std::string::npos;
    return n;
}

TEST_F(ParsePipelineTest, UnfinishedAndResumedHalvesPairAcrossBatches) {
    const std::string log = write(
        "pairs.log",
        {
            "100 10:00:00.000001 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 3 "
            "<0.000010>",
            "100 10:00:00.000002 read(3,  <unfinished ...>",
            "101 10:00:00.000003 connect(4, {sa_family=AF_INET, sin_port=htons(80), "
            "sin_addr=inet_addr(\"10.0.0.1\")}, 16 <unfinished ...>",
            "102 10:00:00.000004 futex(0x7f00, FUTEX_WAIT_PRIVATE, 2, NULL <unfinished ...>",
            "100 10:00:00.000005 <... read resumed>\"127.0.0.1 localhost\\n\", 4096) = 20 "
            "<0.000003>",
            "101 10:00:00.000006 <... connect resumed>) = -1 ECONNREFUSED (Connection refused) "
            "<0.000003>",
            "100 10:00:00.000007 write(1, \"x\\ty\", 3 <unfinished ...>",
            "101 10:00:00.000008 close(4) = 0 <0.000001>",
            "100 10:00:00.000009 <... write resumed>) = 3 <0.000002>",
            "102 10:00:00.000010 <... futex resumed>) = 0 <0.000006>",
            "100 10:00:00.000011 poll([{fd=3, events=POLLIN}], 1, 0) = 1 ([{fd=3, "
            "revents=POLLIN}]) <0.000001>",
            "100 10:00:00.000012 close(3) = 0 <0.000001>",
            "102 10:00:00.000013 futex(0x7f00, FUTEX_WAIT_PRIVATE, 2, NULL <unfinished ...>",
        });
    const Outcome one = expect_same({log});
    // The test has teeth: halves were paired, arguments from both kept.
    EXPECT_EQ(one.unparsed, 0u);
    EXPECT_EQ(count_with(one.events, "127.0.0.1 localhost"), 1u);
    EXPECT_EQ(count_with(one.events, "10.0.0.1"), 2u);  // connect's entry and exit
}

TEST_F(ParsePipelineTest, BadLinesAreTheSameProblemsOnTheSameLines) {
    std::vector<std::string> lines;
    for (int i = 0; i < 40; ++i) {
        lines.push_back("100 close(" + std::to_string(i) + ") = 0");
        if (i % 7 == 3) lines.push_back("100 connect(3, {sa_family=AF_INET, sin_port=htons(80");
        if (i % 11 == 5) lines.push_back("this is no strace line " + std::to_string(i));
    }
    const Outcome one = expect_same({write("bad.log", lines)});
    EXPECT_GT(one.unparsed, 5u);
    EXPECT_EQ(count_with(one.said, "bad.log:"), 10u);  // the first ten are said
}

TEST_F(ParsePipelineTest, AnFfSetWithoutTimesIsReadFileAfterFile) {
    write("set.100",
          {"execve(\"/bin/app\", [\"app\"], 0x7ffd /* 3 vars */) = 0",
           "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, "
           "exit_signal=0}, 88) = 101",
           "read(5,  <unfinished ...>", "<... read resumed>\"abc\", 3) = 3", "bogus",
           "+++ exited with 0 +++"});
    write("set.101", {"getpid() = 100", "write(5, \"a\", 1 <unfinished ...>",
                      "<... write resumed>) = 1", "also bogus", "+++ exited with 0 +++"});
    write("set.102", {"close(7) = 0"});
    const Outcome one = expect_same({path("set")});
    EXPECT_EQ(count_with(one.said, "set.100:5: "), 1u);
    EXPECT_EQ(count_with(one.said, "set.101:4: "), 1u);
}

TEST_F(ParsePipelineTest, ALogShorterThanOneBatch) {
    const Outcome one = expect_same({write("short.log", {"100 close(3) = 0", "100 getpid() = 100"})});
    EXPECT_EQ(one.events.size(), 4u);
}

TEST_F(ParsePipelineTest, LinesThatNeedTheConvertersOwnParse) {
    // A line a diagnostic split in two, a new thread's lines before its
    // clone returned (held back), and a last line cut off (an unfinished
    // call): these are parsed again on the converter's side.
    const std::string log = write(
        "odd.log",
        {"104 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|"
         "SIGCHLDstrace: Process 10123 attached",
         ", child_tidptr=0x7f2c1a3f5a10) = 10123", "10123 close(3) = 0",
         "104 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, "
         "exit_signal=0}, 88 <unfinished ...>",
         "105 openat(AT_FDCWD, \"/tmp/x\", O_RDONLY) = 5", "105 read(5, \"hi\", 2) = 2",
         "104 <... clone3 resumed>) = 105", "105 close(5) = 0",
         "104 futex(0x7f00, FUTEX_WAIT_PRIVATE, 2, NULL"});
    const Outcome one = expect_same({log});
    EXPECT_EQ(one.unparsed, 0u);
    EXPECT_EQ(count_with(one.events, "/tmp/x"), 2u);
}

TEST_F(ParsePipelineTest, JsonlAndStraceInputsTogether) {
    const std::string jsonl = write(
        "events.jsonl",
        {R"({"type":"syscall_exit","time":2000,"pid":102,"tid":102,"syscall":"openat","nr":257,)"
         R"("arch":"x86_64","args":[0,0,0,0,0,0],"entry_time":1500,)"
         R"("decoded":"AT_FDCWD, \"/etc/hosts\", O_RDONLY","ret":4,"errno":null})",
         "not json"});
    const std::string log = write("plain.log", {"100 close(3) = 0", "100 dup(1) = 3"});
    const Outcome one = expect_same({log, jsonl, log});
    EXPECT_EQ(count_with(one.events, "/etc/hosts"), 2u);  // the JSONL call's entry and exit
    EXPECT_EQ(count_with(one.said, "events.jsonl:2: "), 1u);
}

TEST_F(ParsePipelineTest, AnInputThatIsNoLogFailsTheSameWay) {
    std::vector<std::string> lines;
    for (int i = 0; i < 3000; ++i) lines.push_back("dear diary, line " + std::to_string(i));
    const std::string notes = write("notes.txt", lines);
    const std::string log = write("fine.log", {"100 close(3) = 0"});
    std::string one, two;
    try {
        read({log, notes}, 1, 1024);
    } catch (const UnusableInput& e) {
        one = e.what();
    }
    try {
        read({log, notes}, 2, 4);
    } catch (const UnusableInput& e) {
        two = e.what();
    }
    EXPECT_NE(one.find("not an strace log"), std::string::npos) << one;
    EXPECT_EQ(two, one);
}

}  // namespace
}  // namespace sctrace::logs
