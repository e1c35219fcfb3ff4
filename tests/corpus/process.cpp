#include "process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace corpus {

using namespace std::chrono_literals;

namespace {

// Closes its fds whatever path the constructor takes.
struct Fds {
    int in = -1, out = -1, err = -1, exec_error[2] = {-1, -1};
    ~Fds() {
        for (int fd : {in, out, err, exec_error[0], exec_error[1]})
            if (fd >= 0) close(fd);
    }
};

}  // namespace

Process::Process(const Command& command, const fs::path& dir) {
    static std::atomic<int> counter{0};
    result_.what = join(command.argv);
    const int n = counter++;
    out_path_ = dir / ("run" + std::to_string(n) + ".out");
    err_path_ = dir / ("run" + std::to_string(n) + ".err");

    // Everything the child needs is built before fork().
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string var = *e;
        const std::string name = var.substr(0, var.find('='));
        bool overridden = false;
        for (const auto& o : command.env) overridden |= o.substr(0, o.find('=')) == name;
        if (!overridden) env.push_back(var);
    }
    env.insert(env.end(), command.env.begin(), command.env.end());
    std::vector<char*> envp, args;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv = command.argv;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const std::string cwd = command.cwd.empty() ? dir.string() : command.cwd;

    Fds fds;
    fds.in = open(command.stdin_path.empty() ? "/dev/null" : command.stdin_path.c_str(),
                  O_RDONLY | O_CLOEXEC);
    fds.out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    fds.err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fds.in < 0 || fds.out < 0 || fds.err < 0 || pipe2(fds.exec_error, O_CLOEXEC) != 0) {
        result_.spawn_error = std::string("cannot set up the run: ") + strerror(errno);
        return;
    }
    pid_ = fork();
    if (pid_ == 0) {
        setpgid(0, 0);
        dup2(fds.in, STDIN_FILENO);
        dup2(fds.out, STDOUT_FILENO);
        dup2(fds.err, STDERR_FILENO);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        int e = 0;
        if (chdir(cwd.c_str()) == 0) {
            execvpe(args[0], args.data(), envp.data());
        }
        e = errno;
        (void)!write(fds.exec_error[1], &e, sizeof e);
        _exit(127);
    }
    if (pid_ < 0) {
        result_.spawn_error = std::string("fork: ") + strerror(errno);
        return;
    }
    setpgid(pid_, pid_);
    close(fds.exec_error[1]);
    fds.exec_error[1] = -1;
    int e = 0;
    if (read(fds.exec_error[0], &e, sizeof e) == sizeof e)
        result_.spawn_error =
            "cannot execute " + command.argv[0] + " in " + cwd + ": " + strerror(e);
}

Process::~Process() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGKILL);
    if (!reaped_) waitpid(pid_, nullptr, 0);
}

bool Process::exited() {
    if (pid_ <= 0 || reaped_) return true;
    if (waitpid(pid_, &wait_status_, WNOHANG) == pid_) reaped_ = true;
    return reaped_;
}

std::string Process::out_so_far() const {
    return slurp(out_path_);
}

RunResult Process::wait(Seconds deadline) {
    if (pid_ > 0) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        while (!exited()) {
            if (std::chrono::steady_clock::now() >= until) {
                result_.timed_out = true;
                kill(-pid_, SIGKILL);
                waitpid(pid_, &wait_status_, 0);
                reaped_ = true;
                break;
            }
            std::this_thread::sleep_for(10ms);
        }
        // Whatever the command left behind in its group goes too.
        kill(-pid_, SIGKILL);
        if (WIFEXITED(wait_status_)) result_.status = WEXITSTATUS(wait_status_);
        if (WIFSIGNALED(wait_status_)) result_.status = 128 + WTERMSIG(wait_status_);
    }
    result_.out = slurp(out_path_);
    result_.err = slurp(err_path_);
    return result_;
}

RunResult run(const Command& command, const fs::path& dir, Seconds deadline) {
    Process p(command, dir);
    return p.wait(deadline);
}

std::string find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
    std::string dirs = "/usr/bin:/usr/sbin:/bin:/sbin";
    if (const char* path = getenv("PATH")) dirs += std::string(":") + path;
    std::istringstream in(dirs);
    for (std::string d; std::getline(in, d, ':');) {
        const std::string candidate = (d.empty() ? "." : d) + "/" + name;
        if (access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
    }
    return "";
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string join(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) {
        if (!s.empty()) s += ' ';
        s += a.find_first_of(" \t\n'\"") == std::string::npos ? a : "'" + a + "'";
    }
    return s;
}

std::string describe(const RunResult& r) {
    std::ostringstream s;
    s << "command: " << r.what << "\n  status " << r.status
      << (r.timed_out ? " (TIMED OUT, killed)" : "")
      << (r.spawn_error.empty() ? "" : "\n  spawn error: " + r.spawn_error)
      << "\n  stdout: " << r.out.substr(0, 2000) << "\n  stderr: " << r.err.substr(0, 4000) << "\n";
    return s.str();
}

int free_port() {
    const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (s >= 0 && bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0) close(s);
    return port;
}

bool accepts(int port) {
    const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = s >= 0 && connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    if (s >= 0) close(s);
    return ok;
}

std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
        const std::string name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        const std::string stat = slurp(e.path() / "stat");
        const auto close_paren = stat.rfind(')');
        if (close_paren == std::string::npos) continue;
        std::istringstream rest(stat.substr(close_paren + 1));
        char state;
        pid_t ppid = 0;
        if (rest >> state >> ppid && ppid == parent) out.push_back(std::stoi(name));
    }
    return out;
}

}  // namespace corpus
