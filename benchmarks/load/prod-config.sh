# Sourced by the load scripts: prints the production gateway's configuration (one model over the zero-delay mock, a master
# key, SQLite spend rows).   prod_config <mock port> <sqlite path>
prod_config() {
  cat <<Y
model_list:
  - model_name: bench
    litellm_params: {model: openai/mock-model, api_base: "http://127.0.0.1:$1/v1", api_key: bench-key}
general_settings:
  master_key: sk-bench-master
  sqlite_path: $2
Y
}
