#include <cstdio>
int main() { std::puts("ostree-cpp: not built yet"); return 1; }
