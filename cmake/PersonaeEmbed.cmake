# personae_embed_files(TARGET FUNCTION_NAME BASE_DIR FILES...) compiles files into the binary, so that a deployed
# `personae` carries its migrations and its OpenAPI document and needs nothing beside it.
# Each file becomes an entry {relative name, contents} in a generated lookup table.
function(personae_embed_files target function_name base_dir)
  set(generated "${CMAKE_CURRENT_BINARY_DIR}/${function_name}.cpp")
  add_custom_command(
    OUTPUT "${generated}"
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${generated} -DFUNCTION=${function_name} -DBASE_DIR=${base_dir}
            "-DFILES=${ARGN}" -P "${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake"
    DEPENDS ${ARGN} "${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake"
    COMMENT "Embedding ${function_name}"
    VERBATIM)
  target_sources(${target} PRIVATE "${generated}")
endfunction()
