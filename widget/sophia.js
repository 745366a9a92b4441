// Sophia chat widget (placeholder).
