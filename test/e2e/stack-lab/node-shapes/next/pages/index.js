export default function Home() {
  return <p>items</p>;
}
