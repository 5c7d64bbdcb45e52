//! `frontdesk retell tools --base-url URL`.

/// Prints the custom-function definitions for a Retell agent.
pub fn tools(base_url: &str) -> anyhow::Result<()> {
    let definitions = frontdesk_retell::functions::tool_definitions(base_url);
    println!("{}", serde_json::to_string_pretty(&definitions)?);
    Ok(())
}
