import '@fontsource/noto-sans-devanagari/devanagari-400.css'
import '@fontsource/noto-sans-devanagari/devanagari-700.css'
import './style.css'
import { render } from 'preact'
import { App } from './App.js'
import { interceptLinks } from './router.js'

interceptLinks()
render(<App />, document.getElementById('app')!)
