export function App() {
  return <p>Balint Outcomes</p>
}
