# Warnings are an INTERFACE target every library links PRIVATE, so they apply
# to our code only, never to consumers or third-party headers.
add_library(ot_warnings INTERFACE)
target_compile_options(ot_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough)
if(OT_WERROR)
  target_compile_options(ot_warnings INTERFACE -Werror)
endif()
