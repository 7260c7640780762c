if(OT_SANITIZE)
  add_compile_options(-fsanitize=${OT_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${OT_SANITIZE})
endif()
