#pragma once

namespace sctrace {

// `sctrace analyze ...`; argv[0] is "analyze". Returns the exit status.
int analyze_main(int argc, char** argv);

}  // namespace sctrace
